import { defineScenario } from 'faultline';

/**
 * The load-test plan's S3: viewers poll a streamer's live event at a steady rate while Redis
 * (the cache in front of it) answers 300 ms late. The app publishes the event at 2 Hz; a poll
 * is served from the Redis cache (TTL 250 ms) or Postgres. With cache-fallback a cache read
 * has 50 ms before the poll goes to Postgres: polls stay fast and fresh. Without it, every
 * poll waits on the slow cache: p95 goes past 150 ms.
 */
export default defineScenario({
  name: 'live-polling',
  description: 'Viewers poll a live event while Redis answers 300 ms late; p95 < 150 ms and staleness < 1 s',
  services: { postgres: true, redis: true, anvil: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    // 50 polls a second at baseline (smoke: 10).
    groups: { pollers: { executor: 'constant-arrival-rate', rate: 50, vus: 20, maxVUs: 100 } },
  },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'fault', duration: '6s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [{ name: 'redis-slow', fault: 'latency', target: 'redis', at: 'fault', params: { latency: 300, jitter: 50 } }],
  assertions: {
    profileThresholds: ['baseline'],
    thresholds: {
      'http_req_duration{name:live}': ['p(95)<150'],
      'http_req_duration{phase:fault,name:live}': ['p(95)<150'],
      'http_req_failed{name:live}': ['rate<0.01'],
      live_staleness: ['p(95)<1000'],
    },
  },
});
