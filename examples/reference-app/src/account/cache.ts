import { CircuitBreaker } from '../breaker.ts';
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
 * The session/config cache (Redis). Without auth-cache-fallback it is authoritative: every read
 * and write waits on Redis however long it takes, and its failure is a 503. With it, a read
 * has 50 ms and its failure is answered without Redis; after 3 failures in a row the cache is
 * skipped for a second (a circuit breaker: one trial read then), so a hanging Redis costs a
 * request nothing rather than 50 ms per read.
 */
export class AuthCache {
  private readonly breaker = new CircuitBreaker(3, 1_000);

  constructor(private readonly ctx: AppContext) {}

  private get fallback(): boolean {
    return this.ctx.config.mitigations['auth-cache-fallback'];
  }

  /**
   * The cached text, null on a miss, and (with auth-cache-fallback) undefined when Redis is
   * away, slow or skipped: the caller then answers without it.
   * @example const cached = await cache.read('config:demo') // undefined: Redis is down, use the in-process copy
   */
  async read(key: string): Promise<string | null | undefined> {
    if (!this.fallback) {
      return this.ctx.redis.get(key).catch((error: Error) => {
        throw new SessionStoreUnavailableError(error);
      });
    }
    if (!this.breaker.tryAcquire()) return undefined;
    const answer = await withinBudget(this.ctx.redis.get(key), true, AUTH_CACHE_BUDGET_MS);
    if (answer === undefined) this.breaker.failure();
    else this.breaker.success();
    return answer;
  }

  /**
   * Writes an entry back after a miss. With auth-cache-fallback it is not waited for, and it is
   * skipped when the read just failed (`redisAnswered` false): a dead Redis gets no backlog of writes.
   */
  async write(key: string, value: unknown, ttlSeconds: number, redisAnswered: boolean): Promise<void> {
    if (this.fallback) {
      if (redisAnswered) this.ctx.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds).catch(() => {});
      return;
    }
    await this.ctx.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds).catch((error: Error) => {
      throw new SessionStoreUnavailableError(error);
    });
  }
}
