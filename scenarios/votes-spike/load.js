// Load plan S4: voters on the votes hot path. Each vote is one Idempotency-Key; a vote whose
// answer does not come within the client's deadline is sent again with the same key after a
// growing pause (a 429 waits its Retry-After), up to VOTE_ATTEMPTS times.
import { sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser } from '../support/app.js';

/** Share of votes accepted (200) within their attempts. */
export const accepted = new Rate('votes_accepted');
/** Share of answers that were 429 rate-limit refusals. */
export const rateLimited = new Rate('votes_rate_limited');
/** Attempts sent again with the same key. */
export const retries = new Counter('votes_retries');

const TIMEOUT = __ENV.VOTE_TIMEOUT || '250ms';
const ATTEMPTS = Number(__ENV.VOTE_ATTEMPTS || 10);
const VOTERS = Number(__ENV.VOTERS || 500);
const OPTIONS = ['red', 'green', 'blue'];

export const options = faultline.options();
export const setup = faultline.setup;

export const voters = faultline.iteration(() => {
  const n = exec.scenario.iterationInTest;
  const params = asUser(`vs-${faultline.originMs}-${n % VOTERS}`, { 'idempotency-key': `vote-${faultline.originMs}-${n}` });
  params.timeout = TIMEOUT;
  params.tags = { name: 'vote' };
  const body = JSON.stringify({ pollId: `vs-${faultline.originMs}`, option: OPTIONS[n % OPTIONS.length] });
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) retries.add(1);
    const response = http.post(`${faultline.target}/api/votes`, body, params);
    if (response.status !== 0) rateLimited.add(response.status === 429);
    if (response.status === 200) return accepted.add(true);
    if (response.status === 429) sleep(Number(response.headers['Retry-After'] || 1));
    else if (response.status >= 400 && response.status < 500 && response.status !== 409) break;
    // Backing off keeps the retries from piling onto a slow database (immediate retries melt it down).
    else sleep(0.2 * attempt);
  }
  accepted.add(false);
});
