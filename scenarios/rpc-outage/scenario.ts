import { defineScenario } from 'faultline';
import { appInvariants, CLAIM_INVARIANTS } from '../support/app-invariants.ts';

/**
 * The primary RPC provider's proxy goes down entirely (connections refused) while users
 * claim gifts. With rpc-fallback the app fails over to the second provider; without it
 * every claim in the window fails.
 */
export default defineScenario({
  name: 'rpc-outage',
  description: "Primary RPC provider unreachable (its proxy disabled) while users claim gifts; failover must carry the claims",
  services: { postgres: true, redis: true, anvil: true, rpc: true, app: true },
  // The config runs two app instances (app, app2): this load goes to the first.
  target: { service: 'app' },
  // A claim takes up to a second while the fallback carries it (seconds on a busy machine): 4/s needs more than smoke's 2 VUs for k6 to start every planned claim.
  load: { script: './load.js', env: { CLAIM_PREFIX: 'rpc-outage' }, profiles: { smoke: { rps: 4, concurrency: 12 }, baseline: { rps: 8 }, stress: { rps: 15 } } },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'fault', duration: '6s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'infura-down', fault: 'down', target: 'rpc-infura', at: 'fault' }],
  assertions: {
    thresholds: {
      'http_req_failed{phase:fault}': ['rate<={maxErrorRate}'],
      'http_req_duration{phase:fault}': ['p(95)<{p95TotalMs}'],
    },
    recovery: { bound: '3s' },
  },
  invariants: appInvariants(CLAIM_INVARIANTS),
});
