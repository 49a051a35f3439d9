// Listeners hold Socket.IO connections to a streamer's room, spread over both app nodes, and
// measure every EVENT_UPDATED (published at 2 Hz with a sequence number and its send time);
// viewers without a socket poll the same event over HTTP.
import http from 'k6/http';
import exec from 'k6/execution';
import * as faultline from '../../runner/k6/faultline.js';
import * as sio from '../../runner/k6/socketio.js';
import { token } from '../support/app.js';

const streamer = __ENV.STREAMER_ID || '1';

export const options = faultline.options();
export const setup = faultline.setup;

export const listeners = faultline.iteration(() => {
  sio.hold({
    auth: (n) => ({ token: token(`fanout-${faultline.originMs}-${n}`) }),
    rooms: [`streamer:${streamer}`],
    // A paused node accepts connections and never answers: give up on it soon and try the other
    // (not so soon that a busy node's handshake counts as a failure).
    connectTimeoutMs: 3000,
    repairGaps: true,
  });
});

export const pollers = faultline.iteration(() => {
  const url = faultline.targetFor(exec.scenario.iterationInTest);
  http.get(`${url}/api/events/live?streamerId=${streamer}`, { timeout: '2s', tags: { name: 'live' } });
});
