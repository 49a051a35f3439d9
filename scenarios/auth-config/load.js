// Load plan S1: signed-in users open the app: their account (GET /api/me), then the app's
// config (GET /api/config), then think for a second. Each user signs in once and keeps its
// token, so its session is cached after its first page load.
import { sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Rate } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser } from '../support/app.js';

/** Share of /api/me answered from the session cache (x-session: cache). */
export const sessionHit = new Rate('auth_session_hit');
/** Share of /api/config answered from the Redis cache (x-cache: hit). */
export const configHit = new Rate('auth_config_hit');

/** The users seeded by the app's migration 005 (ac-user-1 … ac-user-5000). */
const USERS = Number(__ENV.AUTH_USERS || 5000);

export const options = faultline.options();
export const setup = faultline.setup;

// One sign-in per VU: its token (and so its session) is reused by every page load.
let signedIn;

export const users = faultline.iteration(() => {
  if (!signedIn) signedIn = asUser(`ac-user-${((exec.vu.idInTest - 1) % USERS) + 1}`);
  const me = http.get(`${faultline.target}/api/me`, Object.assign({}, signedIn, { tags: { name: 'me' } }));
  if (me.status === 200) sessionHit.add(me.headers['X-Session'] === 'cache');
  const config = http.get(`${faultline.target}/api/config`, Object.assign({}, signedIn, { tags: { name: 'config' } }));
  if (config.status === 200) configHit.add(config.headers['X-Cache'] === 'hit');
  sleep(1);
});
