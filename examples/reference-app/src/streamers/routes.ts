import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { withinBudget } from '../budget.ts';

/** A search's answer is kept this long: the listing changes slowly, and the popular searches repeat. */
const CACHE_TTL_SECONDS = 30;
/** With cache-fallback a cache read that takes longer than this goes to Postgres instead. */
const CACHE_BUDGET_MS = 50;

interface StreamerView {
  id: number;
  handle: string;
  displayName: string;
  followers: number;
  live: boolean;
}

export const streamersCacheKey = (query: string) => `cache:streamers:${query.toLowerCase()}`;

/**
 * GET /api/streamers?query= → `{ streamers }`: the 20 most followed streamers whose handle or
 * name contains the query, served from a Redis cache (30 s) and searched in Postgres on a
 * miss. With cache-fallback a cache read has 50 ms before the search goes to Postgres (the
 * cache is written back without waiting); without, every search waits on Redis however slow.
 */
export function streamerRoutes(app: FastifyInstance, ctx: AppContext): void {
  const fallback = ctx.config.mitigations['cache-fallback'];

  app.get<{ Querystring: { query?: string } }>(
    '/api/streamers',
    { schema: { querystring: { type: 'object', properties: { query: { type: 'string', maxLength: 64 } } } } },
    async (request, reply) => {
      const query = request.query.query ?? '';
      const key = streamersCacheKey(query);
      const cached = await withinBudget(ctx.redis.get(key), fallback, CACHE_BUDGET_MS);
      if (cached) {
        ctx.metrics.cache.inc({ cache: 'streamers', result: 'hit' });
        reply.header('x-cache', 'hit');
        return JSON.parse(cached);
      }
      ctx.metrics.cache.inc({ cache: 'streamers', result: cached === null ? 'miss' : 'error' });
      const { rows } = await ctx.pool.query<StreamerView>(
        `SELECT id, handle, display_name AS "displayName", followers, live FROM streamers
         WHERE handle ILIKE '%' || $1 || '%' OR display_name ILIKE '%' || $1 || '%' ORDER BY followers DESC, id LIMIT 20`,
        [query.replace(/[\\%_]/g, (c) => `\\${c}`)],
      );
      const page = { query, streamers: rows };
      const write = ctx.redis.set(key, JSON.stringify(page), 'EX', CACHE_TTL_SECONDS);
      if (fallback) write.catch(() => {});
      else await write;
      reply.header('x-cache', cached === null ? 'miss' : 'bypass');
      return page;
    },
  );
}
