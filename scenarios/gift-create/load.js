// The gift checklist's k6-create-gift.js: a campaign's batch of gifts as data loading (setup),
// creators making gifts with their JWTs (a forged one now and then, which must be refused),
// and users claiming shares of the batch (1.5 s deadline, retried with the same Idempotency-Key).
import http from 'k6/http';
import { Rate } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, iterationIndex, runUser, token } from '../support/app.js';
import { claim } from '../support/claims.js';

/** Share of genuine create requests answered 201. */
export const created = new Rate('gifts_created');
/** Share of forged-token create requests answered 401. */
export const forgedRefused = new Rate('gift_forged_refused');
const gift = JSON.stringify({ asset: 'TOKEN', amountPerShare: '1000', shares: 10, message: 'k6' });

export const options = faultline.options();

/** Loads the campaign: one batch of GIFT_BATCH gifts (50 or 100), then waits for the time origin. */
export function setup() {
  const response = http.post(
    `${faultline.target}/api/gifts/batch`,
    JSON.stringify({ count: Number(__ENV.GIFT_BATCH || 50), asset: 'TOKEN', amountPerShare: '1000', shares: 1000, message: 'campaign' }),
    Object.assign(asUser(`campaign-${faultline.originMs}`), { tags: { name: 'batch' } }),
  );
  if (response.status !== 201) throw new Error(`POST /api/gifts/batch: HTTP ${response.status} ${response.body}`);
  const gifts = response.json('gifts').map((g) => g.id);
  faultline.waitForOrigin();
  return { gifts };
}

export const creators = faultline.iteration(() => {
  const forged = iterationIndex() % 5 === 4;
  const params = asUser(runUser('creator'));
  params.tags = { name: forged ? 'create-forged' : 'create' };
  if (forged) {
    // Signed with another secret: the app must refuse it.
    const [header, payload] = token(runUser('creator')).split('.');
    params.headers.authorization = `Bearer ${header}.${payload}.${'A'.repeat(43)}`;
    params.responseCallback = http.expectedStatuses(401);
  }
  const response = http.post(`${faultline.target}/api/gifts`, gift, params);
  if (forged) forgedRefused.add(response.status === 401);
  else created.add(response.status === 201);
});

export const claimers = faultline.iteration((data) => claim(data.gifts[iterationIndex() % data.gifts.length]));
