import { describe, expect, it } from 'vitest';
import { DailyCredits, TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('lets a full burst through, then refuses with the time until enough tokens flow back', () => {
    const bucket = new TokenBucket(100, 10, 0); // Alchemy-style: 100 CU/s over a 10 s window = 1000 CU burst
    for (let i = 0; i < 100; i++) expect(bucket.take(10, 0).ok).toBe(true);
    expect(bucket.take(26, 0)).toEqual({ ok: false, retryAfterMs: 260 });
    expect(bucket.take(26, 259).ok).toBe(false);
    expect(bucket.take(26, 260).ok).toBe(true);
  });

  it('charges nothing for a refused request', () => {
    const bucket = new TokenBucket(5, 1, 0);
    for (let i = 0; i < 5; i++) bucket.take(1, 0);
    expect(bucket.take(1, 0).ok).toBe(false);
    expect(bucket.take(1, 0).ok).toBe(false);
    expect(bucket.take(1, 200).ok).toBe(true); // exactly one token came back, nobody spent it while refused
    expect(bucket.take(1, 200).ok).toBe(false);
  });

  it('never refills above its capacity', () => {
    const bucket = new TokenBucket(10, 1, 0);
    expect(bucket.take(10, 60_000).ok).toBe(true);
    expect(bucket.take(1, 60_000).ok).toBe(false);
  });
});

describe('DailyCredits', () => {
  it('refuses once the day is used up and starts over at 00:00 UTC', () => {
    const credits = new DailyCredits(3);
    const day = Date.UTC(2025, 0, 1, 23, 59);
    expect([1, 2, 3, 4].map(() => credits.take(1, day))).toEqual([true, true, true, false]);
    expect(credits.take(1, Date.UTC(2025, 0, 2, 0, 0))).toBe(true);
  });
});
