import type { Redis } from 'ioredis';
import { withinBudget } from '../budget.ts';
import { TokenBuckets } from '../rate-limit.ts';

/** The plan's limits: per user 3 a second with bursts of 5, per room 10 a second. */
export const USER_LIMIT = { perSecond: 3, burst: 5 };
export const ROOM_LIMIT = { perSecond: 10, burst: 10 };

/** With cache-fallback a bucket read that takes longer than this is decided by this instance's own buckets (a post has 50 ms of Redis in all: this and the queue hand-off). */
const REDIS_BUDGET_MS = 25;

// Takes a token from every bucket of KEYS (ARGV: rate, burst per key) or from none: { 0, 0 } taken,
// or { index of the empty bucket, ms until its next token }. Redis's clock, so every instance agrees; a bucket
// idle for a minute is dropped (it would be full again by then).
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens = {}
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local b = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tk = math.min(burst, (tonumber(b[1]) or burst) + math.max(0, now - (tonumber(b[2]) or now)) / 1000 * rate)
  if tk < 1 then return { i, math.ceil((1 - tk) / rate * 1000) } end
  tokens[i] = tk
end
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i] - 1), 'at', now)
  redis.call('PEXPIRE', KEYS[i], 60000)
end
return { 0, 0 }
`;

export type Verdict = { ok: true } | { ok: false; limit: 'user' | 'room'; retryAfterMs: number };

type WithTake = Redis & { chatRoomsTake(...args: Array<string | number>): Promise<[number, number]> };

/**
 * The chat rooms' rate limits as token buckets in Redis (shared by every instance of the app).
 * With `fallback` (cache-fallback) a post needs a token from this instance's in-memory buckets
 * too, and they decide alone when Redis gives no answer within REDIS_BUDGET_MS; without, a post
 * waits on Redis however slow it is.
 */
export class ChatLimits {
  private readonly redis: WithTake;
  private readonly users = new TokenBuckets(USER_LIMIT.perSecond, USER_LIMIT.burst);
  private readonly rooms = new TokenBuckets(ROOM_LIMIT.perSecond, ROOM_LIMIT.burst);

  constructor(
    redis: Redis,
    private readonly fallback: boolean,
  ) {
    if (!('chatRoomsTake' in redis)) redis.defineCommand('chatRoomsTake', { numberOfKeys: 2, lua: TAKE });
    this.redis = redis as WithTake;
  }

  async take(tenant: string, roomId: string, user: string): Promise<Verdict> {
    // With the fallback, this instance's buckets take part in every decision, not only in those Redis is
    // too slow for: when they decide alone they know what already went through. (Fresh ones consulted only
    // then let a flood's burst through twice, once by Redis and once by them.) Redis, shared, still has the
    // last word: a post needs a token from both.
    if (this.fallback) {
      const local = this.takeLocal(tenant, roomId, user);
      if (!local.ok) return local;
    }
    const taking = this.redis.chatRoomsTake(`ratelimit:chat:user:${tenant}:${user}`, `ratelimit:chat:room:${tenant}:${roomId}`, USER_LIMIT.perSecond, USER_LIMIT.burst, ROOM_LIMIT.perSecond, ROOM_LIMIT.burst);
    const answer = await withinBudget(taking, this.fallback, REDIS_BUDGET_MS);
    return answer ? verdict(answer) : { ok: true };
  }

  private takeLocal(tenant: string, roomId: string, user: string): Verdict {
    const byUser = this.users.take(`${tenant}:${user}`);
    if (!byUser.ok) return { ok: false, limit: 'user', retryAfterMs: byUser.retryAfterMs };
    const byRoom = this.rooms.take(`${tenant}:${roomId}`);
    return byRoom.ok ? byRoom : { ok: false, limit: 'room', retryAfterMs: byRoom.retryAfterMs };
  }
}

function verdict([index, retryAfterMs]: [number, number]): Verdict {
  return index === 0 ? { ok: true } : { ok: false, limit: index === 1 ? 'user' : 'room', retryAfterMs };
}
