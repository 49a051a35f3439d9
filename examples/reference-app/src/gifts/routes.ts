import type { FastifyInstance } from 'fastify';
import { parseEther } from 'viem';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { claimGift } from './claims.ts';

// The treasury pays every gift: cap what one gift may cost it.
export const MAX_GIFT_WEI = parseEther('10');

/** A gift's fields as POST /api/gifts (and /api/gifts/batch) take them. */
export const giftFields = {
  asset: { enum: ['ETH', 'TOKEN'] },
  amountPerShare: { type: 'string', pattern: '^[1-9][0-9]{0,30}$' },
  shares: { type: 'integer', minimum: 1, maximum: 1000 },
  message: { type: 'string', maxLength: 280 },
} as const;

const giftColumns = `id, tenant, creator, asset, token_address AS "tokenAddress", amount_per_share::text AS "amountPerShare",
  total_shares AS "totalShares", claimed_shares AS "claimedShares", message, created_at AS "createdAt"`;

export function giftRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: { asset: 'ETH' | 'TOKEN'; amountPerShare: string; shares: number; message?: string } }>(
    '/api/gifts',
    {
      schema: {
        body: {
          type: 'object',
          required: ['asset', 'amountPerShare', 'shares'],
          additionalProperties: false,
          properties: giftFields,
        },
      },
    },
    async (request, reply) => {
      const caller = request.caller!;
      const { asset, amountPerShare, shares, message = '' } = request.body;
      if (BigInt(amountPerShare) * BigInt(shares) > MAX_GIFT_WEI) throw new HttpError(400, 'gift_too_large', 'A gift may cost at most 10 ETH (or 10e18 token units) in total.');
      const { rows } = await ctx.pool.query(
        `INSERT INTO gifts (tenant, creator, asset, token_address, amount_per_share, total_shares, message) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${giftColumns}`,
        [caller.tenant, caller.user, asset, asset === 'TOKEN' ? ctx.token : null, amountPerShare, shares, message],
      );
      reply.code(201);
      return { gift: rows[0] };
    },
  );

  app.get<{ Params: { id: string } }>('/api/gifts/:id', { schema: { params: idParams } }, async (request) => {
    const { rows } = await ctx.pool.query(`SELECT ${giftColumns} FROM gifts WHERE id = $1 AND tenant = $2`, [request.params.id, request.caller!.tenant]);
    if (!rows[0]) throw new HttpError(404, 'gift_not_found', `Gift ${request.params.id} does not exist.`);
    return { gift: rows[0] };
  });

  app.post<{ Params: { id: string } }>('/api/gifts/:id/claim', { schema: { params: idParams } }, async (request, reply) => {
    const caller = request.caller!;
    const key = request.headers['idempotency-key'];
    if (Array.isArray(key) || (key !== undefined && !/^[\w-]{1,200}$/.test(key))) throw new HttpError(400, 'bad_idempotency_key', 'Idempotency-Key must be 1-200 letters, digits, _ or -.');
    const result = await claimGift(ctx, { giftId: Number(request.params.id), ...caller, source: 'api', idempotencyKey: key });
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    reply.code(result.status);
    return result.body;
  });
}

export const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } } as const;
