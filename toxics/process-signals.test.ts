import { describe, expect, it } from 'vitest';
import { pidOf } from './process-signals.ts';

describe('pidOf', () => {
  const ctx = { env: {}, toxiproxyUrl: '', seed: 1, pids: { redis: 0, rpc: 4242 }, containers: { redis: 'f'.repeat(64) } };

  it('gives the recorded pid of a local process', () => {
    expect(pidOf(ctx, 'rpc')).toBe(4242);
  });

  it('says which process faults work on a container, and which services have a pid', () => {
    expect(() => pidOf(ctx, 'redis')).toThrow(/redis runs in a container: .*only "pause" works there/);
    expect(() => pidOf(ctx, 'postgres')).toThrow(/pid of "postgres".*known: redis, rpc/);
  });
});
