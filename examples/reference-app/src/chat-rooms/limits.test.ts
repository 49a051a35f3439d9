import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ChatLimits } from './limits.ts';

/** A Redis whose bucket script answers "taken" for the first `answers` calls, then never answers (a stalled Redis). */
function stallingRedis(answers: number): Redis {
  let calls = 0;
  return {
    defineCommand() {},
    chatRoomsTake: () => (calls++ < answers ? Promise.resolve([0, 0]) : new Promise(() => {})),
  } as unknown as Redis;
}

describe('ChatLimits', () => {
  it('with the fallback, a user gets one burst when Redis stalls mid-flood, not one from Redis and another from memory', async () => {
    const limits = new ChatLimits(stallingRedis(5), true);
    const verdicts = [];
    for (let i = 0; i < 10; i++) verdicts.push(await limits.take('demo', `room-${i}`, 'flooder'));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(5);
    expect(verdicts.at(-1)).toMatchObject({ ok: false, limit: 'user' });
  });

  it('with the fallback, Redis still has the last word: a token its shared bucket refuses is refused', async () => {
    const redis = { defineCommand() {}, chatRoomsTake: () => Promise.resolve([2, 300]) } as unknown as Redis;
    expect(await new ChatLimits(redis, true).take('demo', 'general', 'alice')).toEqual({ ok: false, limit: 'room', retryAfterMs: 300 });
  });
});
