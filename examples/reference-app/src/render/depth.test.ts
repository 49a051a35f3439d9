import { describe, expect, it } from 'vitest';
import { QueueDepth } from './depth.ts';

describe('QueueDepth', () => {
  it('reads the queue at most once per window and counts what was admitted since', async () => {
    let now = 0;
    let reads = 0;
    let waiting = 4;
    const depth = new QueueDepth(async () => (reads++, waiting), 200, () => now);
    expect(await Promise.all([depth.current(), depth.current()])).toEqual([4, 4]);
    expect(reads).toBe(1);
    depth.admit();
    depth.admit();
    now = 150;
    expect(await depth.current()).toBe(6);
    expect(reads).toBe(1);
    waiting = 1;
    now = 250;
    expect(await depth.current()).toBe(1);
    expect(reads).toBe(2);
  });
});
