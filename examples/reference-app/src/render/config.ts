/** The render pipeline's knobs, from the app's environment. */
export interface RenderConfig {
  /** The Redis the render worker uses (its own proxy, REDIS_WORKER_URL, so the worker alone can be cut off); default REDIS_URL. */
  workerRedisUrl: string;
  /** Admission control: jobs waiting beyond which POST /render answers 429 (RENDER_QUEUE_LIMIT). */
  queueLimit: number;
  /** How long one render takes, ms (RENDER_MS). */
  renderMs: number;
  /** Renders at once per worker (RENDER_CONCURRENCY). */
  concurrency: number;
}

export function readRenderConfig(env: Record<string, string | undefined> = process.env): RenderConfig {
  return {
    workerRedisUrl: env.REDIS_WORKER_URL || env.REDIS_URL || 'redis://127.0.0.1:6379',
    queueLimit: Number(env.RENDER_QUEUE_LIMIT ?? 10),
    renderMs: Number(env.RENDER_MS ?? 50),
    concurrency: Number(env.RENDER_CONCURRENCY ?? 4),
  };
}
