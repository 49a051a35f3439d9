import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit.ts';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    let now = 0;
    const buckets = new TokenBuckets(3, 5, () => now);
    const results = Array.from({ length: 6 }, () => buckets.take('alice'));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results[5]).toEqual({ ok: false, retryAfterMs: 334 });
  });
  it('refills at the rate per second', () => {
    let now = 0;
    const buckets = new TokenBuckets(3, 5, () => now);
    for (let i = 0; i < 5; i++) buckets.take('alice');
    now = 1000;
    expect([1, 2, 3, 4].map(() => buckets.take('alice').ok)).toEqual([true, true, true, false]);
  });
  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets(3, 1, () => 0);
    expect(buckets.take('alice').ok).toBe(true);
    expect(buckets.take('alice').ok).toBe(false);
    expect(buckets.take('bob').ok).toBe(true);
  });
});
