import { defineScenario } from 'faultline';
import { appInvariants, CLAIM_INVARIANTS } from '../support/app-invariants.ts';

/**
 * Redis is unreachable (its proxy disabled) for a window while users read chat rooms and
 * claim gifts. With cache-fallback, reads go to Postgres with short timeouts, and claims
 * (which need the Redis lock) are refused at once with 503 + Retry-After rather than
 * risked; without it, reads hang on the dead cache until the client gives up.
 */
export default defineScenario({
  name: 'redis-outage',
  description: 'Redis unreachable for a window during chat-room reads and claims; reads must fall back to Postgres',
  services: { postgres: true, redis: true, anvil: true, app: true },
  // The config runs two app instances (app, app2): this load goes to the first.
  target: { service: 'app' },
  load: { script: './load.js', env: { CLAIM_PREFIX: 'redis-outage', CLAIM_TIMEOUT_MS: '5000' }, profiles: { smoke: { rps: 6, concurrency: 6 }, baseline: { rps: 12, concurrency: 20 }, stress: { rps: 25, concurrency: 40 } } },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'fault', duration: '6s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'redis-down', fault: 'down', target: 'redis', at: 'fault' }],
  assertions: {
    // Claims refused with 503 during the outage are the designed degradation: the profile judges the baseline.
    profileThresholds: ['baseline'],
    thresholds: {
      'http_req_failed{phase:fault,name:room-read}': ['rate<=0.05'],
      'http_req_duration{phase:fault}': ['p(95)<2000'],
      'http_req_failed{phase:recovery,name:room-read}': ['rate<=0.05'],
    },
    recovery: { bound: '3s' },
  },
  invariants: appInvariants(CLAIM_INVARIANTS),
});
