import { defineScenario } from 'faultline';

/**
 * Load plan S1, auth & config: signed-in users load their account (GET /api/me: the session,
 * i.e. the verified JWT and the profile row, cached in Redis) and the app's config (GET
 * /api/config: the tenant's document, cached in Redis), one page load a second each. The plan's
 * profile is the baseline: 5,000 users ramped over 2 minutes, then held (here the held part is
 * the steady, fault and recovery phases; `scenarios/incidents/auth-config-5k.yaml` is the plan's
 * timeline: 2 min ramp, 10 min held). Smoke ramps 30 users, `local` 400. The session/config cache (Redis's
 * proxy) is down in the fault phase. The plan's figures, every phase (fault included): p95 < 120 ms and
 * errors < 0.1 %. With auth-cache-fallback the app verifies the JWT itself and reads the profile
 * from Postgres and the config from its in-process copy; without, every sign-in fails with the cache.
 */
export default defineScenario({
  name: 'auth-config',
  description: 'Signed-in users load /api/me and /api/config (5k users over 2 min; smoke 30); the Redis session/config cache down in the fault phase; p95 < 120 ms, errors < 0.1 %',
  services: { postgres: true, redis: true, anvil: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    groups: { users: { executor: 'ramping-vus', phases: { 'ramp-up': { vus: 5000, ramp: true } } } },
    // local: what one 2-core machine is asked to ramp to (400 users); the README's plans-covered table says where it broke.
    profiles: {
      smoke: { groups: { users: { scale: 0.006 } } },
      local: { requests: 100, concurrency: 10, success: 0.999, p95TotalMs: 120, p95FirstTokenMs: 2000, groups: { users: { scale: 0.08 } } },
    },
  },
  phases: [
    { name: 'ramp-up', duration: '5s' },
    { name: 'steady', duration: '5s' },
    { name: 'fault', duration: '6s' },
    { name: 'recovery', duration: '5s' },
  ],
  faults: [{ name: 'session-cache-down', fault: 'down', target: 'redis', at: 'fault' }],
  assertions: {
    // The plan's own figures, per phase and per endpoint, replace the profile's.
    profileThresholds: false,
    thresholds: {
      ...perPhase(['ramp-up', 'steady', 'fault', 'recovery']),
      'http_req_duration{name:me}': ['p(95)<120'],
      'http_req_duration{name:config}': ['p(95)<120'],
      'http_req_failed{name:me}': ['rate<0.001'],
      'http_req_failed{name:config}': ['rate<0.001'],
      // The caches carry the steady phase: what the fault takes away is real.
      'auth_session_hit{phase:steady}': ['rate>0.9'],
      'auth_config_hit{phase:steady}': ['rate>0.9'],
    },
  },
});

function perPhase(phases: string[]): Record<string, string[]> {
  return Object.fromEntries(phases.flatMap((p) => [[`http_req_duration{phase:${p}}`, ['p(95)<120']], [`http_req_failed{phase:${p}}`, ['rate<0.001']]]));
}
