// Users ask for a render of a design (POST /api/designs/:id/render) and poll its status. A 429
// carries Retry-After: the client waits exactly that long before it asks again (never sooner),
// up to RENDER_ATTEMPTS times, and gives up when the run would end first.
import http from 'k6/http';
import { sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, iterationIndex, runUser } from '../support/app.js';

/** Share of users whose render was eventually queued (202), after any waits. */
export const enqueued = new Rate('render_enqueued');
/** Share of POSTs the API answered as it should: 202 queued or 429 with a Retry-After (not 5xx, not a timeout). */
export const answered = new Rate('render_answered');
/** 429s the client waited out, and how long it was told to wait, ms. */
export const backoffs = new Counter('render_backoffs');
export const retryAfter = new Trend('render_retry_after', true);
const attempts = Number(__ENV.RENDER_ATTEMPTS || 10);

export const options = faultline.options();
export const setup = faultline.setup;

export const render = faultline.iteration(() => {
  const user = runUser('render');
  const params = asUser(user);
  params.timeout = '5s';
  const url = `${faultline.target}/api/designs/design-${iterationIndex() % 50}/render`;
  let job;
  for (let attempt = 0; attempt < attempts && !job; attempt++) {
    params.tags = { name: 'enqueue', attempt: attempt === 0 ? 'first' : 'retry' };
    const response = http.post(url, '{}', params);
    const wait = Number(response.headers['Retry-After']);
    answered.add(response.status === 202 || (response.status === 429 && wait > 0));
    if (response.status === 202) job = response.json('jobId');
    else if (response.status !== 429 || !(wait > 0) || faultline.remainingMs() < wait * 1000) break;
    else {
      backoffs.add(1);
      retryAfter.add(wait * 1000);
      sleep(wait);
      faultline.tagPhase();
    }
  }
  enqueued.add(Boolean(job));
  if (!job) return;
  sleep(0.5);
  faultline.tagPhase();
  http.get(`${faultline.target}/api/jobs/${job}/status`, { headers: params.headers, timeout: '5s', tags: { name: 'status' } });
});
