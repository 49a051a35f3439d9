import { defineScenario } from 'faultline';

/**
 * Load plan S2: the streamer listing (`GET /api/streamers?query=`) at 30 searches a second
 * (smoke: 15), served through a Redis cache (30 s); Redis answers 300 ms late in the fault phase.
 * The plan's figures: cache hit ratio > 80 % (the Redis probe, in the steady phase) and the
 * REST SLO, p95 < 150 ms and p99 < 350 ms, fault phase included. With cache-fallback a cache
 * read has 50 ms before the search goes to Postgres; without it every search waits on Redis.
 */
export default defineScenario({
  name: 'streamer-listing',
  description: 'Streamer search at 30/s through a Redis cache; Redis +300 ms in the fault phase; hit ratio > 80 %, p95 < 150 ms, p99 < 350 ms',
  services: { postgres: true, redis: true, anvil: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    groups: { searchers: { executor: 'constant-arrival-rate', rate: 30, vus: 10, maxVUs: 60 } },
    // Smoke at half the plan's rate: below that, the app's own background Redis commands (its queues' workers) weigh on the hit ratio.
    profiles: { smoke: { groups: { searchers: { rate: 15, vus: 5, maxVUs: 30 } } } },
  },
  // The first seconds fill the cache: the hit ratio is the steady phase's.
  phases: [
    { name: 'warm-up', duration: '3s' },
    { name: 'steady', duration: '5s' },
    { name: 'fault', duration: '6s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'redis-slow', fault: 'latency', target: 'redis', at: 'fault', params: { latency: 300, jitter: 50 } }],
  assertions: {
    profileThresholds: false,
    thresholds: {
      'probe:redis.hit_ratio{phase:steady}': ['>0.8'],
      'http_req_duration{name:streamers}': ['p(95)<150', 'p(99)<350'],
      'http_req_duration{name:streamers,phase:fault}': ['p(95)<150'],
      'http_req_failed{name:streamers}': ['rate<0.01'],
    },
  },
});
