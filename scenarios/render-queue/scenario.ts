import { defineScenario, type Invariant } from 'faultline';

interface RenderStats {
  admission: boolean;
  queueLimit: number;
  accepted: number;
  completed: number;
  failed: number;
  maxMs: number | null;
  rejected: number;
  earlyRetries: number;
}

const stats = async (ctx: { directTarget?: string; target: string }): Promise<RenderStats> => {
  const response = await fetch(`${ctx.directTarget ?? ctx.target}/internal/render/stats`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET /internal/render/stats: HTTP ${response.status}`);
  return (await response.json()) as RenderStats;
};

/** The app's own count of the jobs it accepted in this run (its process), read after the load. */
const invariants: Invariant[] = [
  {
    name: 'render_jobs_completed',
    async check(ctx) {
      const s = await stats(ctx);
      const queued = s.accepted - s.failed;
      const rate = queued === 0 ? 0 : s.completed / queued;
      return { ok: queued > 0 && rate > 0.9, detail: `${s.completed} of ${queued} accepted jobs completed within the run (${(rate * 100).toFixed(1)} %, need > 90 %); slowest ${s.maxMs ?? '-'} ms from enqueue to done` };
    },
  },
  {
    name: 'render_clients_honour_retry_after',
    async check(ctx) {
      const s = await stats(ctx);
      return { ok: s.earlyRetries === 0, detail: `${s.rejected} request(s) answered 429 + Retry-After, ${s.earlyRetries} retried before the time they were given` };
    },
  },
];

/**
 * The worker plan's render pipeline: users ask for a design's render (POST
 * /api/designs/:id/render, a BullMQ job) and poll its status. The worker loses Redis for 6 s
 * (its own proxy, redis-worker, is cut), then Redis answers 100 ms late for everyone. With
 * admission-control the API stops queueing at 10 waiting jobs and answers 429 with
 * Retry-After; the k6 client waits exactly that long before it asks again (the app counts
 * every retry that comes early). Without it every request is queued: what waits grows with
 * every second the worker is away (the probe on the queue catches it), and so does the time
 * a render takes to finish and the memory the queue holds.
 */
export default defineScenario({
  name: 'render-queue',
  description: 'Render jobs while the worker is cut off, then Redis is slow: the queue stays bounded (429 + Retry-After, honoured) and > 90 % of jobs complete',
  services: { postgres: true, redis: { proxies: ['worker'] }, anvil: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    env: { RENDER_ATTEMPTS: '15' },
    // The plan's baseline: 25 render requests a second (smoke: 5, stress: 75). A client waiting out Retry-After holds its VU: enough of them pre-allocated (k6 starts more too slowly).
    groups: { render: { executor: 'constant-arrival-rate', rate: 25, vus: 200, maxVUs: 300 } },
  },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'worker-paused', duration: '6s' },
    { name: 'redis-slow', duration: '4s' },
    { name: 'recovery', duration: '4s' },
  ],
  faults: [
    { name: 'worker-cut-off', fault: 'down', target: 'redis-worker', at: 'worker-paused' },
    { name: 'redis-slow', fault: 'latency', target: 'redis', at: 'redis-slow', params: { latency: 100, jitter: 20 } },
  ],
  probes: { queues: ['render'] },
  assertions: {
    // 429s are the mitigation at work while the worker is away: judge the baseline by the profile, the run by outcomes.
    profileThresholds: ['baseline'],
    thresholds: {
      'http_req_duration{name:enqueue}': ['p(95)<500', 'p(99)<1000'],
      render_enqueued: ['rate>0.95'],
      render_answered: ['rate>0.99'],
      'http_req_failed{name:status}': ['rate<0.01'],
      // Admission control keeps what waits at its limit (10; a few more from requests admitted at once).
      'probe:bullmq.waiting{queue=render}': ['max<20'],
    },
  },
  invariants,
});
