// A message storm in one chat room: listeners hold Socket.IO connections to the room on one
// app node, writers post to it through the other node at a rising rate. Each message comes to
// the listeners stamped with the room's sequence number and the time it was posted.
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import * as sio from '../../runner/k6/socketio.js';
import { asUser, runUser, token } from '../support/app.js';

/** Messages the app accepted (200): each must reach every listener exactly once. */
export const posted = new Counter('storm_posted');
/** Posts the room's rate limit turned away (429, 10/s a room): back-pressure by design, not a failure. */
export const limited = new Counter('storm_rate_limited');
const accepted = http.expectedStatuses(200, 429);
const room = `storm-${faultline.originMs}`;

export const options = faultline.options();
export const setup = faultline.setup;

export const listeners = faultline.iteration(() => {
  sio.hold({ auth: (n) => ({ token: token(`storm-listener-${faultline.originMs}-${n}`) }), rooms: [`chat:${room}`], repairGaps: true });
});

export const readers = faultline.iteration(() => {
  const params = asUser(runUser('storm-reader'));
  params.tags = { name: 'history' };
  http.get(`${faultline.targetFor(0)}/api/chat/rooms/${room}/messages`, params);
});

export const writers = faultline.iteration(() => {
  const params = asUser(runUser('storm-writer'));
  params.timeout = '10s';
  params.tags = { name: 'post' };
  params.responseCallback = accepted;
  const response = http.post(`${faultline.targetFor(0)}/api/chat/rooms/${room}/messages`, JSON.stringify({ content: `storm ${Date.now()}` }), params);
  if (response.status === 200) posted.add(1);
  else if (response.status === 429) limited.add(1);
});
