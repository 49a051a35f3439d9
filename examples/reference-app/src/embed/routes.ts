import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { createRedis } from '../redis.ts';
import { sign, verify } from './signed.ts';

const NONCE_TTL_MS = 60_000;
const SESSION_TTL_MS = 10 * 60_000;
const nonceKey = (nonce: string) => `embed:nonce:${nonce}`;

interface EmbedToken {
  kind: 'embed';
  tenant: string;
  user: string;
  nonce: string;
  exp: number;
}
interface EmbedSession {
  kind: 'session';
  tenant: string;
  user: string;
  exp: number;
}

const validateBody = {
  type: 'object',
  required: ['token', 'nonce'],
  additionalProperties: false,
  properties: { token: { type: 'string', maxLength: 2000 }, nonce: { type: 'string', maxLength: 100 } },
} as const;
const handshakeBody = { type: 'object', required: ['session'], additionalProperties: false, properties: { session: { type: 'string', maxLength: 2000 } } } as const;

/**
 * The embed widget's handshake: GET /api/embed/token (a signed token and its nonce, kept in
 * Redis for 60 s on REDIS_NONCE_URL, the nonce store's own path) → POST /api/embed/validate
 * (the nonce is used up: single use) → POST /api/embed/handshake (the widget's config). With
 * nonce-single-use the nonce is taken with one atomic GETDEL and refused (503) when the store
 * does not answer. Without, it is read, then deleted, and a store that does not answer is
 * taken as "fine, the signature checks out": two validations of one nonce that overlap, which
 * a slow store makes likely, both pass. GET /internal/embed/nonces answers 409 when this
 * process accepted any nonce more than once.
 */
export function embedRoutes(app: FastifyInstance, ctx: AppContext): void {
  const secret = ctx.config.jwtSecret;
  const singleUse = ctx.config.mitigations['nonce-single-use'];
  const store = createRedis(process.env.REDIS_NONCE_URL || ctx.config.redisUrl, ctx.config.mitigations['cache-fallback']);
  const connected = store.connect().catch((error: Error) => ctx.log.warn({ err: error.message }, 'embed nonce store not reachable yet'));
  const accepted = new Map<string, number>();
  app.addHook('onClose', async () => {
    await connected;
    store.disconnect();
  });

  app.get('/api/embed/token', async (request) => {
    const { tenant, user } = request.caller!;
    const nonce = randomUUID();
    const exp = Date.now() + NONCE_TTL_MS;
    await store.set(nonceKey(nonce), `${tenant}:${user}`, 'PX', NONCE_TTL_MS).catch((error: Error) => {
      throw new HttpError(503, 'nonce_store_unavailable', `The nonce could not be stored (${error.message}); try again.`);
    });
    return { token: sign(secret, { kind: 'embed', tenant, user, nonce, exp } satisfies EmbedToken), nonce, expiresAt: new Date(exp).toISOString() };
  });

  app.post<{ Body: { token: string; nonce: string } }>('/api/embed/validate', { schema: { body: validateBody } }, async (request) => {
    const token = verify<EmbedToken>(secret, request.body.token);
    if (!token || token.kind !== 'embed' || token.nonce !== request.body.nonce) throw new HttpError(401, 'bad_embed_token', 'The embed token is not one this app signed for this nonce.');
    if (token.exp < Date.now()) throw new HttpError(401, 'embed_token_expired', 'The embed token has expired: get a new one from GET /api/embed/token.');
    const key = nonceKey(token.nonce);
    if (singleUse) {
      const owner = await store.getdel(key).catch((error: Error) => {
        throw new HttpError(503, 'nonce_store_unavailable', `The nonce could not be checked (${error.message}); try again with a new token.`);
      });
      if (owner === null) throw new HttpError(409, 'nonce_used', 'This nonce has been used already (or has expired): get a new token.');
    } else {
      // Read, then delete: two requests may both read it before either deletes it.
      const owner = await store.get(key).catch(() => 'unknown');
      if (owner === null) throw new HttpError(409, 'nonce_used', 'This nonce has been used already (or has expired): get a new token.');
      await store.del(key).catch(() => {});
    }
    accepted.set(token.nonce, (accepted.get(token.nonce) ?? 0) + 1);
    const session = sign(secret, { kind: 'session', tenant: token.tenant, user: token.user, exp: Date.now() + SESSION_TTL_MS } satisfies EmbedSession);
    return { ok: true, session };
  });

  app.post<{ Body: { session: string } }>('/api/embed/handshake', { schema: { body: handshakeBody } }, async (request) => {
    const session = verify<EmbedSession>(secret, request.body.session);
    if (!session || session.kind !== 'session' || session.exp < Date.now()) throw new HttpError(401, 'bad_embed_session', 'The widget session is not valid: validate a new token.');
    return { ok: true, user: session.user, tenant: session.tenant, widget: { theme: 'light', features: ['gifts', 'chat'], token: ctx.token } };
  });

  app.get('/internal/embed/nonces', async (_request, reply) => {
    const reused = [...accepted].filter(([, n]) => n > 1);
    reply.code(reused.length > 0 ? 409 : 200);
    return { accepted: accepted.size, reused: reused.length, examples: reused.slice(0, 5).map(([nonce, times]) => ({ nonce, times })) };
  });
}
