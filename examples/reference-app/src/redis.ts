import { Redis, type RedisOptions } from 'ioredis';

/**
 * The Redis client for cache and locks. With cache-fallback: commands fail after 250 ms
 * and are not queued while disconnected, so callers can fall back instead of waiting.
 * Without: ioredis defaults, which queue commands while reconnecting and retry each up
 * to 20 times, so a request waits as long as Redis is away.
 */
export function createRedis(url: string, cacheFallback: boolean): Redis {
  const options: RedisOptions = cacheFallback
    ? { commandTimeout: 250, connectTimeout: 1_000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: (times) => Math.min(times * 100, 1_000) }
    : {};
  const client = new Redis(url, { ...options, lazyConnect: true });
  // Errors reach the callers of each command; the client-level event would only crash the process.
  client.on('error', () => {});
  return client;
}

/** BullMQ and the Socket.IO adapter need blocking connections that wait for Redis (maxRetriesPerRequest: null). */
export function createBlockingRedis(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  client.on('error', () => {});
  return client;
}

/**
 * The Socket.IO adapter's publisher. By default it queues broadcasts while its Redis is away
 * and flushes them when it is back: clients of the other nodes get a burst of stale events,
 * late. With `dropWhileAway` (socket-recovery) a broadcast that cannot go out now is dropped;
 * the clients see the gap and get the events from the room's stream instead, once.
 */
export function createAdapterPublisher(url: string, dropWhileAway: boolean): Redis {
  const client = createBlockingRedis(url);
  if (!dropWhileAway) return client;
  const publish = client.publish.bind(client);
  // The adapter does not handle a failed publish: answer "no subscriber" instead of rejecting.
  client.publish = ((channel: string, message: string) => (client.status === 'ready' ? publish(channel, message).catch(() => 0) : Promise.resolve(0))) as typeof client.publish;
  return client;
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** A lock with an owner token: only its holder releases it; it expires on its own if the holder dies. */
export async function acquireLock(redis: Redis, key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
  const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return undefined;
  return async () => {
    await redis.eval(RELEASE, 1, key, token).catch(() => {});
  };
}
