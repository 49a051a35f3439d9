import { describe, expect, it } from 'vitest';
import { sleep } from './sleep.ts';

describe('sleep', () => {
  it('waits the whole delay when nobody hangs up', async () => {
    const started = performance.now();
    await sleep(40, new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });

  it('returns at once for a client that has already hung up, and early for one that hangs up while waiting', async () => {
    let started = performance.now();
    await sleep(5_000, AbortSignal.abort());
    expect(performance.now() - started).toBeLessThan(1_000);

    const hangUp = new AbortController();
    started = performance.now();
    setTimeout(() => hangUp.abort(), 20);
    await sleep(5_000, hangUp.signal);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
