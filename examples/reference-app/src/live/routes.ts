import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError, withTimeout } from '../http-error.ts';

/** With cache-fallback, a cache read that takes longer than this goes to Postgres instead. */
const CACHE_BUDGET_MS = 50;

interface LiveView {
  streamerId: string;
  version: number;
  /** When this version was published (epoch ms): a client's staleness is now − updatedAt. */
  updatedAt: number;
}

export const liveCacheKey = (streamerId: string) => `cache:live:${streamerId}`;

/**
 * GET /api/events/live?streamerId=: the streamer's live event (version and update time),
 * served from a Redis cache with a short TTL and read from Postgres on a miss. With
 * cache-fallback a cache read has 50 ms before the request goes to Postgres (and the cache
 * is written back without waiting); without it, every poll waits on Redis however slow.
 */
export function liveRoutes(app: FastifyInstance, ctx: AppContext): void {
  const fallback = ctx.config.mitigations['cache-fallback'];
  const ttl = ctx.config.realtime.liveCacheTtlMs;

  app.get<{ Querystring: { streamerId: string } }>(
    '/api/events/live',
    { schema: { querystring: { type: 'object', required: ['streamerId'], properties: { streamerId: { type: 'string', pattern: '^[\\w-]{1,64}$' } } } } },
    async (request, reply) => {
      const { streamerId } = request.query;
      const key = liveCacheKey(streamerId);
      const read = ctx.redis.get(key);
      const cached = fallback
        ? await withTimeout(read, CACHE_BUDGET_MS, () => new Error('cache too slow')).catch(() => {
            read.catch(() => {});
            return undefined;
          })
        : await read;
      if (cached) {
        reply.header('x-cache', 'hit');
        return { ...(JSON.parse(cached) as LiveView), servedAt: Date.now() };
      }
      const { rows } = await ctx.pool.query<{ version: number; updated_at: Date }>('SELECT version, updated_at FROM live_events WHERE streamer_id = $1', [streamerId]);
      if (!rows[0]) throw new HttpError(404, 'not_live', `Streamer ${streamerId} has no live event.`);
      const view: LiveView = { streamerId, version: Number(rows[0].version), updatedAt: rows[0].updated_at.getTime() };
      const write = ctx.redis.set(key, JSON.stringify(view), 'PX', ttl);
      if (fallback) write.catch(() => {});
      else await write;
      reply.header('x-cache', cached === undefined ? 'bypass' : 'miss');
      return { ...view, servedAt: Date.now() };
    },
  );
}
