import { defineScenario } from 'faultline';

/**
 * The widget plan: a user opening the embed widget gets a token (GET /api/embed/token), has
 * its nonce validated (POST /api/embed/validate: single use, kept in Redis) and completes the
 * widget handshake (POST /api/embed/handshake). Every client sends its validation twice at
 * once, as a retrying browser (or a replaying attacker) does: one must pass, the other be
 * refused. The nonce store (its own proxy, redis-nonce) answers 100 ms late while the users
 * ramp from 1k to 5k. With nonce-single-use a nonce is used once whatever the store's speed;
 * without it (read, then delete; an unanswered read taken as valid) both validations pass.
 *
 * The plan's profile is the baseline: 1k → 5k → 10k users (one flow a second each); smoke is
 * the same ramp at 1/500 (2 → 10 → 20 users), `local` at 1/50 (20 → 100 → 200).
 */
export default defineScenario({
  name: 'embed-widget',
  description: 'Embed handshake (token → single-use nonce → widget) while the users ramp 1k → 5k → 10k and the nonce store is slow; no nonce is used twice',
  services: { postgres: true, redis: { proxies: ['nonce'] }, anvil: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    groups: {
      widget: { executor: 'ramping-vus', phases: { 'to-1k': { vus: 1000, ramp: true }, 'to-5k': { vus: 5000, ramp: true }, 'to-10k': { vus: 10_000, ramp: true } } },
    },
    // local: what one 2-core machine is asked to hold (20 → 100 → 200 users); see the README's plans-covered table for what it reached.
    profiles: { smoke: { groups: { widget: { scale: 0.002 } } }, local: { requests: 100, concurrency: 10, success: 0.99, p95TotalMs: 600, p95FirstTokenMs: 2000, groups: { widget: { scale: 0.02 } } } },
  },
  phases: [
    { name: 'to-1k', duration: '4s' },
    { name: 'to-5k', duration: '6s' },
    { name: 'to-10k', duration: '4s' },
  ],
  faults: [{ name: 'nonce-store-slow', fault: 'latency', target: 'redis-nonce', at: 'to-5k', params: { latency: 100, jitter: 20 } }],
  assertions: {
    // The refused duplicate validation is a 409 by design: success is the flow's, below.
    profileThresholds: false,
    thresholds: {
      'http_req_duration{name:token}': ['p(95)<300', 'p(99)<500'],
      'http_req_duration{name:nonce}': ['p(95)<200', 'p(99)<400'],
      embed_handshake_duration: ['p(95)<600', 'p(99)<1000'],
      embed_handshake_ok: ['rate>0.99'],
    },
  },
  invariants: [{ name: 'embed_nonce_single_use', http: 'GET /internal/embed/nonces', expect: 200 }],
});
