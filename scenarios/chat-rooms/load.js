// The chat-room plan's clients: readers open a room (its latest 30 messages, now and then the
// screen before), posters write to the rooms at a steady rate, one user floods a room.
// Written against the plan's endpoint contract, so the team's own scripts run against it too.
import { sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser } from '../support/app.js';

/** Read durations tagged `cache:hit` or `cache:miss` (the app's x-cache; a bypass under a slow Redis is a miss). */
export const readDuration = new Trend('chat_read_duration', true);
/** Share of reads the page cache answered (x-cache: hit): the cache's hit ratio as the clients see it. */
export const cacheHit = new Rate('chat_cache_hit');
/** Share of the posters' messages refused with 429 (they stay under the limits: should be none). */
export const postLimited = new Rate('chat_post_limited');
/** Share of the flooding user's messages refused with 429. */
export const floodLimited = new Rate('chat_flood_limited');

const ROOMS = Number(__ENV.CHAT_ROOMS || 5);
const POSTERS = Number(__ENV.CHAT_POSTERS || 50);
const room = (n) => `cr-${n % ROOMS}`;
const user = (name) => `${name}-${faultline.originMs}`;

export const options = faultline.options();
export const setup = faultline.setup;

function read(url, params) {
  const response = http.get(url, params);
  if (response.status !== 200) return response;
  const hit = response.headers['X-Cache'] === 'hit';
  readDuration.add(response.timings.duration, { cache: hit ? 'hit' : 'miss' });
  cacheHit.add(hit);
  return response;
}

export const readers = faultline.iteration(() => {
  const vu = exec.vu.idInTest;
  const params = Object.assign(asUser(user(`cr-reader-${vu}`)), { tags: { name: 'read' } });
  const base = `${faultline.target}/api/chat/rooms/${room(vu)}/messages?limit=30`;
  const latest = read(base, params);
  // Every twentieth visit scrolls back one screen.
  if (exec.vu.iterationInScenario % 20 === 19 && latest.status === 200 && latest.json('nextCursor')) read(`${base}&before=${latest.json('nextCursor')}`, params);
  sleep(1);
});

export const posters = faultline.iteration(() => {
  const n = exec.scenario.iterationInTest;
  const params = Object.assign(asUser(user(`cr-poster-${n % POSTERS}`)), { tags: { name: 'post' } });
  const response = http.post(`${faultline.target}/api/chat/rooms/${room(n)}/messages`, JSON.stringify({ content: `hello ${n}` }), params);
  postLimited.add(response.status === 429);
});

export const flooder = faultline.iteration(() => {
  const params = Object.assign(asUser(user('cr-flooder')), { tags: { name: 'flood' } });
  const response = http.post(`${faultline.target}/api/chat/rooms/cr-flood/messages`, JSON.stringify({ content: 'spam' }), params);
  floodLimited.add(response.status === 429);
  sleep(0.1);
});
