// Shared k6 load: users claim gift shares (POST /api/gifts/:id/claim with an Idempotency-Key).
// __ENV knobs: CLAIM_PREFIX (user names), CLAIM_TIMEOUT_MS (client deadline per attempt),
// CLAIM_ATTEMPTS (a client that times out retries with the same key, as real clients do).
import http from 'k6/http';
import { sleep } from 'k6';
import { Rate } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, giftFor, iterationIndex, runUser } from './app.js';

/** Share of users whose claim was eventually paid (200), whatever it took. */
export const paid = new Rate('claims_paid');
const timeoutMs = Number(__ENV.CLAIM_TIMEOUT_MS || 15000);
const attempts = Number(__ENV.CLAIM_ATTEMPTS || 1);

/** One user claims one share of `giftId` (default: a gift spread across runs), retrying as configured. */
export function claim(giftId = giftFor(iterationIndex())) {
  const user = runUser(__ENV.CLAIM_PREFIX || 'claim');
  const url = `${faultline.target}/api/gifts/${giftId}/claim`;
  let ok = false;
  for (let attempt = 0; attempt < attempts && !ok; attempt++) {
    const params = asUser(user, { 'idempotency-key': user });
    params.timeout = `${timeoutMs}ms`;
    params.tags = { name: 'claim', attempt: attempt === 0 ? 'first' : 'retry' };
    const response = http.post(url, '{}', params);
    ok = response.status === 200;
    // 0: our own deadline passed; 409: the first attempt is still in progress. Anything else is an answer.
    if (!ok && response.status !== 0 && response.status !== 409) break;
    if (!ok && attempt < attempts - 1) sleep(0.3);
  }
  paid.add(ok);
}

export const options = faultline.options();
export const setup = faultline.setup;
export default faultline.iteration(() => claim());
