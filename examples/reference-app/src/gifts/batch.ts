import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { giftFields, MAX_GIFT_WEI } from './routes.ts';

/**
 * POST /api/gifts/batch: `count` (1..100) identical gifts in one insert, as a campaign's data
 * loading does before its users claim them → 201 `{ gifts: [{ id }, …] }`.
 */
export function giftBatchRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: { count: number; asset: 'ETH' | 'TOKEN'; amountPerShare: string; shares: number; message?: string } }>(
    '/api/gifts/batch',
    {
      schema: {
        body: {
          type: 'object',
          required: ['count', 'asset', 'amountPerShare', 'shares'],
          additionalProperties: false,
          properties: { count: { type: 'integer', minimum: 1, maximum: 100 }, ...giftFields },
        },
      },
    },
    async (request, reply) => {
      const caller = request.caller!;
      const { count, asset, amountPerShare, shares, message = '' } = request.body;
      if (BigInt(amountPerShare) * BigInt(shares) > MAX_GIFT_WEI) throw new HttpError(400, 'gift_too_large', 'A gift may cost at most 10 ETH (or 10e18 token units) in total.');
      const { rows } = await ctx.pool.query<{ id: number }>(
        `INSERT INTO gifts (tenant, creator, asset, token_address, amount_per_share, total_shares, message)
         SELECT $1, $2, $3, $4, $5, $6, $7 FROM generate_series(1, $8::int) RETURNING id`,
        [caller.tenant, caller.user, asset, asset === 'TOKEN' ? ctx.token : null, amountPerShare, shares, message, count],
      );
      reply.code(201);
      return { gifts: rows.map((r) => ({ id: r.id })) };
    },
  );
}
