import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError, withTimeout } from '../http-error.ts';
import { recordEvent } from '../live/replay.ts';

const CACHE_TTL_SECONDS = 3;

export interface EmitJob {
  tenant: string;
  roomId: string;
  message: MessageView;
}

interface MessageView {
  id: number;
  roomId: string;
  userId: string;
  body: string;
  createdAt: string;
}

/** The Redis hash that holds every cached page of a room (one field per limit+cursor). */
export const roomCacheKey = (tenant: string, roomId: string) => `cache:messages:${tenant}:${roomId}`;

const roomParams = { type: 'object', properties: { roomId: { type: 'string', pattern: '^[\\w-]{1,64}$' } } } as const;

export function roomRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { pool, redis, metrics } = ctx;
  const fallback = ctx.config.mitigations['cache-fallback'];

  app.get<{ Params: { roomId: string }; Querystring: { limit?: number; before?: string } }>(
    '/api/chat/rooms/:roomId/messages',
    {
      schema: {
        params: roomParams,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, before: { type: 'string', maxLength: 100 } } },
      },
    },
    async (request, reply) => {
      const { tenant } = request.caller!;
      const { roomId } = request.params;
      const limit = request.query.limit ?? 20;
      const before = request.query.before ? decodeCursor(request.query.before) : undefined;
      const key = roomCacheKey(tenant, roomId);
      const field = `${limit}:${request.query.before ?? ''}`;

      // With cache-fallback a Redis failure is a miss, and the page is not written back.
      let redisUp = true;
      const cached = await redis.hget(key, field).catch((error: Error) => {
        if (!fallback) throw error;
        redisUp = false;
        return null;
      });
      if (cached) {
        metrics.cache.inc({ cache: 'messages', result: 'hit' });
        reply.header('x-cache', 'hit');
        return JSON.parse(cached);
      }
      metrics.cache.inc({ cache: 'messages', result: redisUp ? 'miss' : 'error' });
      const { rows } = await pool.query<MessageView & { cursor: string }>(
        `SELECT id, room_id AS "roomId", user_id AS "userId", body, created_at AS "createdAt",
                (extract(epoch FROM created_at) * 1000000)::bigint::text || ':' || id AS cursor
         FROM messages WHERE tenant = $1 AND room_id = $2
           AND ($3::bigint IS NULL OR (created_at, id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::bigint))
         ORDER BY created_at DESC, id DESC LIMIT $5`,
        [tenant, roomId, before?.micros ?? null, before?.id ?? null, limit],
      );
      const last = rows.length === limit ? rows[rows.length - 1] : undefined;
      const page = { messages: rows.map(({ cursor: _, ...m }) => m), nextCursor: last ? Buffer.from(last.cursor).toString('base64url') : null };
      if (redisUp) {
        const write = redis.multi().hset(key, field, JSON.stringify(page)).expire(key, CACHE_TTL_SECONDS).exec();
        await (fallback ? write.catch(() => {}) : write);
      }
      reply.header('x-cache', redisUp ? 'miss' : 'bypass');
      return page;
    },
  );

  app.post<{ Params: { roomId: string }; Body: { body: string } }>(
    '/api/chat/rooms/:roomId/messages',
    {
      schema: {
        params: roomParams,
        body: { type: 'object', required: ['body'], additionalProperties: false, properties: { body: { type: 'string', minLength: 1, maxLength: 2000 } } },
      },
    },
    async (request, reply) => {
      const { tenant, user } = request.caller!;
      if (ctx.config.mitigations['rate-limit']) {
        const taken = ctx.buckets.take(`${tenant}:${user}`);
        if (!taken.ok) {
          throw new HttpError(429, 'rate_limited', 'Too many messages: at most 3 per second (bursts of 5).', { 'retry-after': String(Math.ceil(taken.retryAfterMs / 1000)) });
        }
      }
      const { rows } = await pool.query<MessageView>(
        `INSERT INTO messages (tenant, room_id, user_id, body) VALUES ($1, $2, $3, $4) RETURNING id, room_id AS "roomId", user_id AS "userId", body, created_at AS "createdAt"`,
        [tenant, request.params.roomId, user, request.body.body],
      );
      const message = rows[0]!;
      const job: EmitJob = { tenant, roomId: request.params.roomId, message };
      const queued = ctx.emitQueue.add('emit', job, { removeOnComplete: 1000, removeOnFail: 1000 });
      if (fallback) {
        // The message is stored: if the queue is away, real-time delivery waits for the next read instead of failing the post.
        await withTimeout(queued, 500, () => new Error('queue timeout')).catch((error: Error) => {
          ctx.log.warn({ err: error.message }, 'emit job not queued; message stored, cache will expire on its own');
        });
      } else {
        await queued;
      }
      reply.code(201);
      return { message };
    },
  );
}

function decodeCursor(cursor: string): { micros: string; id: string } {
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new HttpError(400, 'bad_cursor', 'The `before` cursor is not one this API returned.');
  return { micros: match[1]!, id: match[2]! };
}

/**
 * The BullMQ job: send the message to the room's sockets, stamped with the room's sequence
 * number and the time it was posted (so listeners measure delivery lag and gaps), kept in the
 * room's stream for replay (socket-recovery), and drop the room's cached pages.
 */
export async function emitMessage(ctx: AppContext, job: EmitJob): Promise<void> {
  const serverRoom = `chat:${job.tenant}:${job.roomId}`;
  const seq = await ctx.redis.incr(`room:seq:${serverRoom}`);
  const payload = { ...job.message, room: `chat:${job.roomId}`, seq, sentAt: Date.parse(job.message.createdAt) || Date.now() };
  if (ctx.config.mitigations['socket-recovery']) await recordEvent(ctx.redis, serverRoom, seq, 'message', payload).catch(() => {});
  ctx.io.to(serverRoom).emit('message', payload);
  await ctx.redis.del(roomCacheKey(job.tenant, job.roomId));
}
