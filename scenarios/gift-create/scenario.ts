import { defineScenario } from 'faultline';
import { appInvariants, CLAIM_INVARIANTS } from '../support/app-invariants.ts';

/**
 * The gift checklist's creation flow: the k6 setup loads a campaign (one batch of 50 gifts,
 * POST /api/gifts/batch), then creators make gifts one by one (POST /api/gifts, a JWT each;
 * every fifth request carries a forged token, which must be refused) while users claim
 * shares of the batch's gifts. Postgres answers 300 ms ± 100 ms late in the middle phase; the
 * claimers' 1.5 s deadline passes and they retry with the same Idempotency-Key. The claim
 * invariants must hold: with `idempotency` off, a retry overtaking its slow first attempt pays twice.
 */
export default defineScenario({
  name: 'gift-create',
  description: 'Gift creation with token validation and a 50-gift batch, then claims against it while Postgres is slow; the claim invariants hold',
  services: { postgres: true, redis: true, anvil: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    env: { GIFT_BATCH: '50', CLAIM_PREFIX: 'gift-create', CLAIM_TIMEOUT_MS: '1500', CLAIM_ATTEMPTS: '20' },
    groups: {
      // Baseline: 5 gifts created and 10 claims a second (smoke: 1 and 2). A claim retried for up to 20 × 1.5 s holds its VU that long.
      creators: { executor: 'constant-arrival-rate', rate: 5, vus: 10, maxVUs: 40 },
      claimers: { executor: 'constant-arrival-rate', rate: 10, vus: 120, maxVUs: 300 },
    },
  },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'fault', duration: '8s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'postgres-slow', fault: 'latency', target: 'postgres', at: 'fault', params: { latency: 300, jitter: 100 } }],
  assertions: {
    // Claim timeouts and 409 "in progress" answers are expected under the fault, and a forged token's 401 by design.
    profileThresholds: false,
    thresholds: {
      gifts_created: ['rate>0.99'],
      gift_forged_refused: ['rate==1'],
      'http_req_duration{name:create,phase:baseline}': ['p(95)<500'],
      claims_paid: ['rate>=0.99'],
    },
  },
  invariants: appInvariants(CLAIM_INVARIANTS),
});
