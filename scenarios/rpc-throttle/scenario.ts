import { defineScenario } from 'faultline';
import { appInvariants, CLAIM_INVARIANTS } from '../support/app-invariants.ts';

/**
 * The primary RPC provider (Infura-style) throttles every call with 429 + Retry-After for
 * a window while users claim gifts. With rpc-fallback the app fails over to the second
 * provider and every claim is paid; without it claims fail with 502 during the window.
 */
export default defineScenario({
  name: 'rpc-throttle',
  description: 'Primary RPC provider throttled (HTTP 429, Retry-After) while users claim gifts; the fallback provider must carry the claims',
  services: { postgres: true, redis: true, anvil: true, rpc: true, app: true },
  // The config runs two app instances (app, app2): this load goes to the first.
  target: { service: 'app' },
  // k6's default 60 s client deadline: a claim is judged by the app's answer, not cut off by the client.
  // A claim takes up to a second while the fallback carries it (seconds on a busy machine): 4/s needs more than smoke's 2 VUs for k6 to start every planned claim.
  load: { script: './load.js', env: { CLAIM_PREFIX: 'rpc-throttle', CLAIM_TIMEOUT_MS: '60000' }, profiles: { smoke: { rps: 4, concurrency: 12 }, baseline: { rps: 8 }, stress: { rps: 15 } } },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'fault', duration: '6s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'infura-throttled', fault: 'http', target: 'rpc', at: 'fault', params: { type: 'throttle', target: 'infura', rate: 1, retryAfterSeconds: 1 } }],
  assertions: {
    thresholds: {
      'http_req_failed{phase:fault}': ['rate<={maxErrorRate}'],
      'http_req_duration{phase:fault}': ['p(95)<{p95TotalMs}'],
    },
    recovery: { bound: '3s' },
  },
  invariants: appInvariants(CLAIM_INVARIANTS),
});
