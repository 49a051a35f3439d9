import { defineScenario } from 'faultline';
import { appInvariants, CLAIM_INVARIANTS } from '../support/app-invariants.ts';

/**
 * Postgres gets +300 ms ± 100 ms on every round trip while users claim gifts. Claims slow
 * down past the clients' 1.5 s deadline, and clients retry with the same Idempotency-Key.
 * The thresholds say what degradation is acceptable: every user is eventually paid, the
 * baseline stays fast. The invariants say what is not: with `idempotency` off, retries
 * that overtake a slow first attempt pay a wallet twice.
 */
export default defineScenario({
  name: 'db-latency',
  description: 'Postgres +300 ms ± 100 ms during claims; clients time out and retry; every user must be paid exactly once',
  services: { postgres: true, redis: true, anvil: true, app: true },
  // The config runs two app instances (app, app2): this load goes to the first.
  target: { service: 'app' },
  load: {
    script: './load.js',
    env: { CLAIM_PREFIX: 'db-latency', CLAIM_TIMEOUT_MS: '1500', CLAIM_ATTEMPTS: '20' },
    // A claim retried for up to 20 × 1.5 s holds its VU that long: enough VUs that k6 starts every planned claim.
    profiles: { smoke: { rps: 2, concurrency: 24 }, baseline: { rps: 4, concurrency: 60 }, stress: { rps: 8, concurrency: 120 } },
  },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'fault', duration: '8s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'postgres-slow', fault: 'latency', target: 'postgres', at: 'fault', params: { latency: 300, jitter: 100 } }],
  assertions: {
    // Timeouts and 409 "in progress" answers are expected under the fault: judge the baseline by the profile, the run by outcomes.
    profileThresholds: ['baseline'],
    thresholds: {
      claims_paid: ['rate>={success}'],
      'http_req_duration{phase:recovery}': ['p(95)<{p95TotalMs}'],
    },
  },
  invariants: appInvariants(CLAIM_INVARIANTS),
});
