import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { TokenBuckets } from '../rate-limit.ts';

/** The configured limit: per user 5 votes a second, bursts of 10. */
export const VOTE_LIMIT = { perSecond: 5, burst: 10 };

interface Vote {
  id: number;
  pollId: string;
  option: string;
  createdAt: string;
}

const RECORD = `v AS (
    INSERT INTO vote_ledger (tenant, user_id, poll_id, option, idempotency_key) SELECT $1, $2, $3, $4, $5 FROM source
    RETURNING id, poll_id AS "pollId", option, created_at AS "createdAt"),
  t AS (
    INSERT INTO vote_tallies (poll_id, option, votes) SELECT "pollId", option, 1 FROM v
    ON CONFLICT (poll_id, option) DO UPDATE SET votes = vote_tallies.votes + 1)
  SELECT * FROM v`;
// With idempotency the key is taken in the same statement: a retry that races its first attempt waits for it and records nothing.
const GUARDED = `WITH source AS (INSERT INTO vote_keys (tenant, user_id, idempotency_key) VALUES ($1, $2, $5) ON CONFLICT DO NOTHING RETURNING 1), ${RECORD}`;
const NAIVE = `WITH source AS (SELECT 1), ${RECORD}`;

/**
 * POST /api/votes `{ pollId, option }` with an `Idempotency-Key` header → 200 `{ vote }`:
 * the vote's ledger row and its tally in one statement. With idempotency a retried request
 * (same caller, same key) answers with the vote it recorded the first time (`replayed: true`);
 * without, every attempt is a vote. Per-user limit with rate-limit (429 + Retry-After).
 * GET /api/votes/:pollId/tally → `{ pollId, tallies: { option: votes } }`.
 */
export function voteRoutes(app: FastifyInstance, ctx: AppContext): void {
  const buckets = new TokenBuckets(VOTE_LIMIT.perSecond, VOTE_LIMIT.burst);
  const guarded = ctx.config.mitigations.idempotency;

  app.post<{ Body: { pollId: string; option: string }; Headers: { 'idempotency-key'?: string } }>(
    '/api/votes',
    {
      schema: {
        body: {
          type: 'object',
          required: ['pollId', 'option'],
          additionalProperties: false,
          properties: { pollId: { type: 'string', pattern: '^[\\w-]{1,64}$' }, option: { type: 'string', pattern: '^[\\w-]{1,64}$' } },
        },
      },
    },
    async (request) => {
      const { tenant, user } = request.caller!;
      const key = request.headers['idempotency-key'];
      if (!key || key.length > 200) throw new HttpError(400, 'idempotency_key_required', 'POST /api/votes needs an Idempotency-Key header (at most 200 characters), the same on every retry of one vote.');
      if (ctx.config.mitigations['rate-limit']) {
        const taken = buckets.take(`${tenant}:${user}`);
        if (!taken.ok) {
          throw new HttpError(429, 'rate_limited', `Too many votes: at most ${VOTE_LIMIT.perSecond} a second per user (bursts of ${VOTE_LIMIT.burst}).`, {
            'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))),
          });
        }
      }
      const params = [tenant, user, request.body.pollId, request.body.option, key];
      const { rows } = await ctx.pool.query<Vote>(guarded ? GUARDED : NAIVE, params);
      if (rows[0]) return { vote: rows[0], replayed: false };
      const { rows: first } = await ctx.pool.query<Vote>(
        `SELECT id, poll_id AS "pollId", option, created_at AS "createdAt" FROM vote_ledger WHERE tenant = $1 AND user_id = $2 AND idempotency_key = $3`,
        [tenant, user, key],
      );
      if (!first[0]) throw new HttpError(409, 'vote_in_progress', 'A vote with this Idempotency-Key is being recorded; retry with the same key.');
      return { vote: first[0], replayed: true };
    },
  );

  app.get<{ Params: { pollId: string } }>(
    '/api/votes/:pollId/tally',
    { schema: { params: { type: 'object', properties: { pollId: { type: 'string', pattern: '^[\\w-]{1,64}$' } } } } },
    async (request) => {
      const { rows } = await ctx.pool.query<{ option: string; votes: number }>('SELECT option, votes FROM vote_tallies WHERE poll_id = $1', [request.params.pollId]);
      return { pollId: request.params.pollId, tallies: Object.fromEntries(rows.map((r) => [r.option, r.votes])) };
    },
  );
}
