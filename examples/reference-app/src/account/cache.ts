import type { AppContext } from '../context.ts';
import { withinBudget } from '../budget.ts';
import { HttpError } from '../http-error.ts';

/** With auth-cache-fallback a session or config read that takes longer than this is answered without Redis. */
export const AUTH_CACHE_BUDGET_MS = 50;

/** The session/config cache did not answer and nothing may stand in for it (auth-cache-fallback off). */
export class SessionStoreUnavailableError extends HttpError {
  constructor(cause: Error) {
    super(
      503,
      'session_store_unavailable',
      `The session/config cache (Redis) did not answer (${cause.message.split('\n')[0]}), and without auth-cache-fallback the app does not answer without it. ` +
        'Retry once Redis is back, or run the app with auth-cache-fallback, which verifies the JWT itself and reads the profile and config from Postgres.',
      { 'retry-after': '1' },
    );
    this.name = 'SessionStoreUnavailableError';
  }
}

/**
 * A read of the session/config cache: the cached text, null on a miss, and with
 * auth-cache-fallback undefined when Redis is away or slower than 50 ms (the caller then
 * answers without it). Without the mitigation Redis is waited for however long it takes,
 * and its failure is a 503.
 * @example const cached = await cacheRead(ctx, 'config:demo') // undefined: Redis is down, use the in-process copy
 */
export async function cacheRead(ctx: AppContext, key: string): Promise<string | null | undefined> {
  if (ctx.config.mitigations['auth-cache-fallback']) return withinBudget(ctx.redis.get(key), true, AUTH_CACHE_BUDGET_MS);
  return ctx.redis.get(key).catch((error: Error) => {
    throw new SessionStoreUnavailableError(error);
  });
}

/**
 * Writes an entry back after a miss. With auth-cache-fallback it is not waited for, and it is
 * skipped when the read just failed (`redisAnswered` false): a dead Redis gets no backlog of writes.
 */
export async function cacheWrite(ctx: AppContext, key: string, value: unknown, ttlSeconds: number, redisAnswered: boolean): Promise<void> {
  if (ctx.config.mitigations['auth-cache-fallback']) {
    if (redisAnswered) ctx.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds).catch(() => {});
    return;
  }
  await ctx.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds).catch((error: Error) => {
    throw new SessionStoreUnavailableError(error);
  });
}
