import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type Address, getAddress, isAddress } from 'viem';
import type { AppContext } from '../context.ts';
import { claimGift } from '../gifts/claims.ts';
import { idParams } from '../gifts/routes.ts';
import { HttpError } from '../http-error.ts';

interface FrameAction {
  untrustedData?: { fid?: number };
  trustedData: { messageBytes: string };
}

const HUB_TIMEOUT_MS = 3_000;

/**
 * POST /api/frames/gifts/:id: a Farcaster frame button press claims a share. The signed
 * frame message is validated by the hub (never trust untrustedData), its fid is mapped to
 * the fid's newest verified Ethereum address, and that wallet claims. The message hash is
 * the idempotency key: a client that resends the same press gets the same answer.
 */
export function frameRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { id: string }; Body: FrameAction }>(
    '/api/frames/gifts/:id',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['trustedData'],
          properties: { trustedData: { type: 'object', required: ['messageBytes'], properties: { messageBytes: { type: 'string', pattern: '^(0x)?[0-9a-fA-F]{2,20000}$' } } } },
        },
      },
    },
    async (request, reply) => {
      const hub = ctx.config.farcasterHubUrl;
      if (!hub) throw new HttpError(503, 'hub_not_configured', 'FARCASTER_HUB_URL is not set: start the environment with the farcaster service.');
      const bytes = Buffer.from(request.body.trustedData.messageBytes.replace(/^0x/, ''), 'hex');
      const validation = await hubCall<{ valid: boolean; message?: { data?: { fid?: number } } }>(`${hub}/v1/validateMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      const fid = validation.message?.data?.fid;
      if (!validation.valid || !fid) throw new HttpError(403, 'invalid_frame_message', 'The hub did not validate this frame message.');
      const wallet = await verifiedAddress(hub, fid);
      if (!wallet) throw new HttpError(403, 'no_verified_wallet', `fid ${fid} has no verified Ethereum address to pay.`);
      const { rows } = await ctx.pool.query<{ tenant: string }>('SELECT tenant FROM gifts WHERE id = $1', [request.params.id]);
      if (!rows[0]) throw new HttpError(404, 'gift_not_found', `Gift ${request.params.id} does not exist.`);
      const result = await claimGift(ctx, {
        giftId: Number(request.params.id),
        tenant: rows[0].tenant,
        user: `fid:${fid}`,
        wallet,
        source: 'frame',
        idempotencyKey: `frame-${createHash('sha256').update(bytes).digest('hex').slice(0, 40)}`,
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      reply.code(result.status);
      return { fid, ...result.body };
    },
  );
}

async function hubCall<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(HUB_TIMEOUT_MS) });
  } catch (error) {
    throw new HttpError(503, 'hub_unavailable', `The Farcaster hub did not answer: ${(error as Error).message}`, { 'retry-after': '2' });
  }
  if (response.status === 400) return (await response.json().catch(() => ({ valid: false }))) as T;
  if (!response.ok) throw new HttpError(503, 'hub_unavailable', `The Farcaster hub answered HTTP ${response.status}.`, { 'retry-after': '2' });
  return (await response.json()) as T;
}

type Verification = { data?: { verificationAddAddressBody?: { address?: string; protocol?: string }; verificationAddEthAddressBody?: { address?: string } } };

async function verifiedAddress(hub: string, fid: number): Promise<Address | undefined> {
  const { messages = [] } = await hubCall<{ messages?: Verification[] }>(`${hub}/v1/verificationsByFid?fid=${fid}`);
  // The newest verification first: the address the user linked last is where they expect payouts.
  for (const m of [...messages].reverse()) {
    const body = m.data?.verificationAddAddressBody ?? m.data?.verificationAddEthAddressBody;
    const protocol = (m.data?.verificationAddAddressBody?.protocol ?? 'PROTOCOL_ETHEREUM') as string;
    if (body?.address && protocol === 'PROTOCOL_ETHEREUM' && isAddress(body.address)) return getAddress(body.address);
  }
  return undefined;
}
