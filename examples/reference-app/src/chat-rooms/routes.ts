import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { withinBudget } from '../budget.ts';
import { HttpError } from '../http-error.ts';
import type { EmitJob } from '../rooms/routes.ts';
import { ChatLimits, ROOM_LIMIT, USER_LIMIT } from './limits.ts';
import { startChatWorker } from './worker.ts';

const CACHE_TTL_SECONDS = 3;
/** With cache-fallback a cache read that takes longer than this goes to Postgres. */
const REDIS_BUDGET_MS = 50;
/** With cache-fallback a post waits this long for the queue to take its job (it lands when Redis answers). */
const QUEUE_BUDGET_MS = 25;
const DEFAULT_LIMIT = 30;

/** A message as the chat clients get it: sender's name and avatar stored on the row; `body` repeats `content` for older clients. */
interface ChatMessage {
  id: number;
  roomId: string;
  userId: string;
  senderName: string;
  senderAvatarUrl: string | null;
  content: string;
  body: string;
  createdAt: string;
}

const COLUMNS = `id, room_id AS "roomId", user_id AS "userId", sender_name AS "senderName", sender_avatar_url AS "senderAvatarUrl",
  body AS content, body, created_at AS "createdAt"`;

/** The cached page `limit` before `before` (or the latest) of a room; the room id is scoped by tenant. */
export const pageKey = (tenant: string, roomId: string, limit: number, before?: string) => `messages:${tenant}:${roomId}:${limit}:${before ?? 'latest'}`;

const roomParams = { type: 'object', properties: { roomId: { type: 'string', pattern: '^[\\w-]{1,64}$' } } } as const;

/**
 * The chat rooms as the chat-room performance plan's clients call them:
 * GET /api/chat/rooms/:roomId/messages?limit=30&before=<cursor> (newest first, cursor
 * pagination, cached in Redis 3 s) and POST with `{ content }` → 200 `{ message }` (insert
 * only; the rest is the worker's). Posts are rate limited per user and per room (rate-limit).
 */
export function chatRoomRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { pool, redis, metrics } = ctx;
  const fallback = ctx.config.mitigations['cache-fallback'];
  const limits = new ChatLimits(redis, fallback);
  const worker = startChatWorker(ctx);
  app.addHook('onClose', () => worker.close());

  const budgeted = <T>(command: Promise<T>, ms = REDIS_BUDGET_MS) => withinBudget(command, fallback, ms);

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
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const before = request.query.before ? decodeCursor(request.query.before) : undefined;
      const key = pageKey(tenant, roomId, limit, request.query.before);
      reply.header('cache-control', `private, max-age=${CACHE_TTL_SECONDS}, stale-while-revalidate=5`);

      const cached = await budgeted(redis.get(key));
      if (cached) {
        metrics.cache.inc({ cache: 'messages', result: 'hit' });
        reply.header('x-cache', 'hit');
        return JSON.parse(cached);
      }
      metrics.cache.inc({ cache: 'messages', result: cached === null ? 'miss' : 'error' });
      const { rows } = await pool.query<ChatMessage & { cursor: string }>(
        `SELECT ${COLUMNS}, (extract(epoch FROM created_at) * 1000000)::bigint::text || ':' || id AS cursor
         FROM messages WHERE tenant = $1 AND room_id = $2
           AND ($3::bigint IS NULL OR (created_at, id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::bigint))
         ORDER BY created_at DESC, id DESC LIMIT $5`,
        [tenant, roomId, before?.micros ?? null, before?.id ?? null, limit],
      );
      const last = rows.length === limit ? rows[rows.length - 1] : undefined;
      const page = { messages: rows.map(({ cursor: _, ...m }) => m), nextCursor: last ? Buffer.from(last.cursor).toString('base64url') : null };
      const write = redis.set(key, JSON.stringify(page), 'EX', CACHE_TTL_SECONDS);
      if (fallback) write.catch(() => {});
      else await write;
      reply.header('x-cache', cached === null ? 'miss' : 'bypass');
      return page;
    },
  );

  app.post<{ Params: { roomId: string }; Body: { content?: string; body?: string } }>(
    '/api/chat/rooms/:roomId/messages',
    {
      schema: {
        params: roomParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { content: { type: 'string', minLength: 1, maxLength: 2000 }, body: { type: 'string', minLength: 1, maxLength: 2000 } },
          anyOf: [{ required: ['content'] }, { required: ['body'] }],
        },
      },
    },
    async (request) => {
      const { tenant, user } = request.caller!;
      const { roomId } = request.params;
      if (ctx.config.mitigations['rate-limit']) {
        const taken = await limits.take(tenant, roomId, user);
        if (!taken.ok) {
          const why =
            taken.limit === 'user'
              ? `at most ${USER_LIMIT.perSecond} messages a second per user (bursts of ${USER_LIMIT.burst})`
              : `at most ${ROOM_LIMIT.perSecond} messages a second in one room`;
          throw new HttpError(429, 'rate_limited', `Too many messages: ${why}. Retry after the Retry-After header's seconds.`, {
            'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))),
          });
        }
      }
      const { rows } = await pool.query<ChatMessage>(
        `INSERT INTO messages (tenant, room_id, user_id, sender_name, sender_avatar_url, body, bookkept) VALUES ($1, $2, $3, $4, NULL, $5, false)
         RETURNING ${COLUMNS}`,
        [tenant, roomId, user, user, request.body.content ?? request.body.body],
      );
      const message = rows[0]!;
      const job: EmitJob = { tenant, roomId, message };
      // The message is stored: with cache-fallback a slow queue does not hold the answer (the job still lands when Redis answers).
      const queued = worker.queue.add('after-post', job, { removeOnComplete: 1000, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 200 } });
      await budgeted(queued, QUEUE_BUDGET_MS);
      return { message };
    },
  );
}

function decodeCursor(cursor: string): { micros: string; id: string } {
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new HttpError(400, 'bad_cursor', 'The `before` cursor is not one this API returned.');
  return { micros: match[1]!, id: match[2]! };
}
