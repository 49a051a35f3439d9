import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { authenticate, type Caller } from '../auth.ts';
import type { AppContext } from '../context.ts';
import type { AuthCache } from './cache.ts';
import { loadProfile, type Profile } from './profiles.ts';

/** A session is kept at most this long (never past its token's expiry). */
const SESSION_TTL_SECONDS = 60;

/** A signed-in caller: the verified token's claims and the user's profile row. */
export interface Session extends Caller {
  profile: Profile;
  /** The token's expiry, epoch seconds. */
  expiresAt: number;
}

/** Keyed by the token's hash: a hit is that exact token, verified before. */
export const sessionKey = (token: string) => `session:${createHash('sha256').update(token).digest('base64url')}`;

/**
 * The session of an `Authorization: Bearer <JWT>` header: from the Redis session cache, else
 * by verifying the JWT here and reading the profile from Postgres (then cached for up to 60 s).
 * With auth-cache-fallback a Redis that is away or slow costs at most 50 ms (see AuthCache); without,
 * its failure fails the request (503) and its slowness is the request's. Throws AuthError (401).
 */
export async function resolveSession(ctx: AppContext, cache: AuthCache, header: string | undefined): Promise<{ session: Session; source: 'cache' | 'verified' }> {
  const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (!token) await authenticate(header, ctx.config.jwtSecret); // throws the 401 that says what to send
  const key = sessionKey(token!);
  const cached = await cache.read(key);
  if (cached) {
    const session = JSON.parse(cached) as Session;
    if (session.expiresAt * 1000 > Date.now()) {
      ctx.metrics.cache.inc({ cache: 'session', result: 'hit' });
      return { session, source: 'cache' };
    }
  }
  ctx.metrics.cache.inc({ cache: 'session', result: cached === undefined ? 'error' : 'miss' });
  const caller = await authenticate(header, ctx.config.jwtSecret);
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = decodeJwt(token!).exp ?? now + SESSION_TTL_SECONDS;
  const session: Session = { ...caller, profile: await loadProfile(ctx.pool, caller.tenant, caller.user), expiresAt };
  await cache.write(key, session, Math.max(1, Math.min(SESSION_TTL_SECONDS, expiresAt - now)), cached !== undefined);
  return { session, source: 'verified' };
}
