import { defineScenario } from '../../runner/scenario.ts';
import { appInvariants, CLAIM_INVARIANTS } from '../support/app-invariants.ts';

/**
 * Redis stalls: its process is frozen (SIGSTOP) for a window while users read chat rooms
 * and claim gifts. Unlike an outage, connections stay open and nothing is refused; every
 * command just waits. With cache-fallback, commands time out after 250 ms and reads go to
 * Postgres; without it, reads wait on the frozen cache until the client gives up.
 * The same load as redis-outage, so the two failure modes can be compared.
 */
export default defineScenario({
  name: 'redis-stall',
  description: 'Redis frozen (SIGSTOP) for a window during chat-room reads and claims; reads must fall back to Postgres',
  services: { postgres: true, redis: true, anvil: true, app: {} },
  load: { script: '../redis-outage/load.js', env: { CLAIM_PREFIX: 'redis-stall', CLAIM_TIMEOUT_MS: '5000' }, profiles: { smoke: { rps: 6, concurrency: 6 }, baseline: { rps: 12, concurrency: 20 }, stress: { rps: 25, concurrency: 40 } } },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'fault', duration: '6s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'redis-frozen', fault: 'pause', target: 'redis', at: 'fault' }],
  assertions: {
    // Claims refused with 503 while Redis is frozen are the designed degradation: the profile judges the baseline.
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
