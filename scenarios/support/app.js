// k6 helpers for scenarios against the reference app: signed JWTs, unique users per run.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import exec from 'k6/execution';

const secret = __ENV.APP_JWT_SECRET || 'faultline-dev-secret';
const plan = JSON.parse(__ENV.FAULTLINE_PLAN || '{"originMs":0}');

/** An HS256 JWT with the app's `tenant` and `sub` claims (what examples/reference-app/src/auth.ts signs). `--env TENANT_ID=…` picks the tenant of a deployed app. */
export function token(user, tenant = __ENV.TENANT_ID || 'demo', extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = encoding.b64encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }), 'rawurl');
  const payload = encoding.b64encode(JSON.stringify({ tenant, sub: user, iat: now, exp: now + 3600, ...extra }), 'rawurl');
  const signature = crypto.hmac('sha256', secret, `${header}.${payload}`, 'base64rawurl');
  return `${header}.${payload}.${signature}`;
}

/** This iteration's index across all VUs of the run (0, 1, 2, ...). */
export function iterationIndex() {
  return exec.scenario.iterationInTest;
}

/** A user name unique to this run and iteration, so reruns against a reused app never collide; `--env USER_ID=…` makes every request that one user (a deployed app's test account). */
export function runUser(prefix = 'k6') {
  if (__ENV.USER_ID) return __ENV.USER_ID;
  return `${prefix}-${plan.originMs}-${exec.scenario.iterationInTest}`;
}

/** Headers for a JSON request as `user`. */
export function asUser(user, extraHeaders = {}) {
  return { headers: { authorization: `Bearer ${token(user)}`, 'content-type': 'application/json', ...extraHeaders }, timeout: '15s' };
}

/** A gift id (1..count) spread across runs, so repeated runs do not use up one gift's shares. */
export function giftFor(iteration, count = 100) {
  return 1 + ((Math.floor(plan.originMs / 1000) + iteration) % count);
}
