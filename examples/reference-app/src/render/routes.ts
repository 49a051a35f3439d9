import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import type { AppContext } from '../context.ts';
import { HttpError, withTimeout } from '../http-error.ts';
import { createBlockingRedis } from '../redis.ts';
import { readRenderConfig } from './config.ts';
import { QueueDepth } from './depth.ts';
import { RetryAfterLedger } from './retry-ledger.ts';

/** The BullMQ queue render jobs go through (a scenario's `probes.queues` names it). */
export const RENDER_QUEUE = 'render';

interface RenderJob {
  jobId: number;
  designId: string;
}

const designParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[\\w-]{1,64}$' } } } as const;
const jobParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } } as const;

/**
 * The render pipeline: POST /api/designs/:id/render enqueues a job (202), GET
 * /api/jobs/:id/status polls it, a BullMQ worker renders (RENDER_MS each, RENDER_CONCURRENCY at
 * once) on its own Redis connection (REDIS_WORKER_URL). With admission-control a request that
 * finds more than RENDER_QUEUE_LIMIT jobs waiting gets 429 with Retry-After (the time the
 * worker needs to drain what waits, at least 1 s); without it every job is queued, and what
 * waits (and how long a render takes to finish) grows as long as arrivals outrun the worker.
 * GET /internal/render/stats reports this process's jobs, refusals and early retries.
 */
export function renderRoutes(app: FastifyInstance, ctx: AppContext): void {
  const config = readRenderConfig();
  const admission = ctx.config.mitigations['admission-control'];
  const instance = `render-${process.pid}-${randomUUID().slice(0, 8)}`;
  const queueConnection = createBlockingRedis(ctx.config.redisUrl);
  const workerConnection = createBlockingRedis(config.workerRedisUrl);
  const queue = new Queue<RenderJob>(RENDER_QUEUE, { connection: queueConnection });
  const ledger = new RetryAfterLedger();
  const depth = new QueueDepth(async () => {
    const counts = await withTimeout(queue.getJobCounts('waiting', 'paused', 'prioritized'), 1_000, () => new HttpError(503, 'queue_unavailable', 'The render queue did not answer within 1 s; try again.'));
    const waiting = (counts.waiting ?? 0) + (counts.paused ?? 0) + (counts.prioritized ?? 0);
    ctx.metrics.queueDepth.set({ queue: RENDER_QUEUE }, waiting);
    return waiting;
  });
  const requests = new Counter({ name: 'render_requests_total', help: 'Render requests by outcome (queued, rejected, error)', labelNames: ['outcome'], registers: [ctx.metrics.registry] });
  const earlyRetries = new Counter({ name: 'render_early_retries_total', help: 'Render requests that came back before the Retry-After they were given', registers: [ctx.metrics.registry] });
  let rejected = 0;
  let early = 0;
  // Jobs one worker finishes per second: what Retry-After is computed from.
  const drainPerSecond = (config.concurrency * 1000) / Math.max(1, config.renderMs);

  const worker = new Worker<RenderJob>(
    RENDER_QUEUE,
    async (job) => {
      await sleep(config.renderMs);
      await ctx.pool.query(`UPDATE render_jobs SET status = 'completed', completed_at = clock_timestamp() WHERE id = $1`, [job.data.jobId]);
    },
    { connection: workerConnection, concurrency: config.concurrency },
  );
  worker.on('error', (error) => ctx.log.warn({ err: error.message }, 'render worker error'));
  app.addHook('onClose', async () => {
    await worker.close().catch(() => {});
    await queue.close().catch(() => {});
    queueConnection.disconnect();
    workerConnection.disconnect();
  });

  app.post<{ Params: { id: string } }>('/api/designs/:id/render', { schema: { params: designParams } }, async (request, reply) => {
    const { tenant, user } = request.caller!;
    const client = `${tenant}:${user}`;
    if (ledger.early(client)) {
      early += 1;
      earlyRetries.inc();
    }
    if (admission) {
      const waiting = await depth.current();
      if (waiting >= config.queueLimit) {
        const seconds = Math.min(30, Math.max(1, Math.ceil(waiting / drainPerSecond)));
        ledger.told(client, seconds);
        rejected += 1;
        requests.inc({ outcome: 'rejected' });
        throw new HttpError(429, 'queue_full', `The render queue is full (${waiting} jobs waiting, limit ${config.queueLimit}); retry after ${seconds} s.`, { 'retry-after': String(seconds) });
      }
      depth.admit();
    }
    const { rows } = await ctx.pool.query<{ id: number }>(
      `INSERT INTO render_jobs (instance, tenant, user_id, design_id, status) VALUES ($1, $2, $3, $4, 'queued') RETURNING id`,
      [instance, tenant, user, request.params.id],
    );
    const jobId = rows[0]!.id;
    try {
      await withTimeout(queue.add('render', { jobId, designId: request.params.id }, { jobId: `render-${jobId}`, removeOnComplete: 1000, removeOnFail: 1000 }), 2_000, () => new Error('no answer within 2 s'));
    } catch (error) {
      await ctx.pool.query(`UPDATE render_jobs SET status = 'failed' WHERE id = $1`, [jobId]).catch(() => {});
      requests.inc({ outcome: 'error' });
      throw new HttpError(503, 'queue_unavailable', `The render job could not be queued (${(error as Error).message}); try again.`);
    }
    requests.inc({ outcome: 'queued' });
    reply.code(202);
    return { jobId: String(jobId), status: 'queued', statusUrl: `/api/jobs/${jobId}/status` };
  });

  app.get<{ Params: { id: string } }>('/api/jobs/:id/status', { schema: { params: jobParams } }, async (request) => {
    const { rows } = await ctx.pool.query(
      `SELECT id::text AS "jobId", design_id AS "designId", status, created_at AS "createdAt", completed_at AS "completedAt" FROM render_jobs WHERE id = $1 AND tenant = $2`,
      [request.params.id, request.caller!.tenant],
    );
    if (!rows[0]) throw new HttpError(404, 'job_not_found', `Render job ${request.params.id} does not exist.`);
    return rows[0];
  });

  app.get('/internal/render/stats', async () => {
    const { rows } = await ctx.pool.query<{ accepted: number; completed: number; failed: number; maxMs: number | null }>(
      `SELECT count(*)::int AS accepted, count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              (extract(epoch FROM max(completed_at - created_at)) * 1000)::int AS "maxMs"
       FROM render_jobs WHERE instance = $1`,
      [instance],
    );
    return { instance, admission, queueLimit: config.queueLimit, ...rows[0], rejected, earlyRetries: early };
  });
}
