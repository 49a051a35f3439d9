import { describe, expect, it } from 'vitest';
import { generateFrameActionPool } from './actions.ts';
import { FarcasterRegistry } from './registry.ts';
import { validateMessageBytes } from './validation.ts';

describe('generateFrameActionPool', () => {
  it('gives the same pool for the same seed, another for another seed', async () => {
    const a = await generateFrameActionPool({ seed: 11, options: { users: 3 }, count: 5 });
    const b = await generateFrameActionPool({ seed: 11, options: { users: 3 }, count: 5 });
    const c = await generateFrameActionPool({ seed: 12, options: { users: 3 }, count: 5 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(c.actions[0]!.messageBytes).not.toBe(a.actions[0]!.messageBytes);
  });

  it('signs actions for the fids in turn, each valid against a hub with the same seed and options', async () => {
    const pool = await generateFrameActionPool({ seed: 11, options: { users: 3, firstFid: 500 }, count: 4 });
    expect(pool.actions.map((a) => a.fid)).toEqual([500, 501, 502, 500]);
    expect(new Set(pool.actions.map((a) => a.messageBytes)).size).toBe(4);
    const registry = new FarcasterRegistry(11, { users: 3, firstFid: 500, verificationsPerUser: 2, network: 'mainnet' });
    for (const action of pool.actions) {
      const outcome = validateMessageBytes(registry, Buffer.from(action.messageBytes, 'hex'));
      expect(outcome.valid).toBe(true);
      expect(action.verifiedAddress).toBe(registry.user(action.fid)!.wallets.at(-1)!.address);
      expect(action.payload.trustedData.messageBytes).toBe(action.messageBytes);
    }
    // Another seed's hub has other signer keys: the same pool is rejected there.
    const other = new FarcasterRegistry(12, { users: 3, firstFid: 500, verificationsPerUser: 2, network: 'mainnet' });
    expect(validateMessageBytes(other, Buffer.from(pool.actions[0]!.messageBytes, 'hex')).valid).toBe(false);
  });
});
