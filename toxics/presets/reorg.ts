import { z } from 'zod';
import { anvilCall } from '../chain-rpc.ts';
import { anvilTarget, definePreset } from '../fault.ts';

/**
 * A reorg: a snapshot at apply; at revert the chain goes back to it (blocks mined in the
 * window disappear), then `depth` fresh blocks are mined so the new head is higher than the old.
 */
export default definePreset({
  name: 'reorg',
  layer: 'chain',
  exclusive: 'reorg',
  description: 'blocks mined during the window are replaced (evm_snapshot at apply, evm_revert + new blocks at revert)',
  params: z.strictObject({ depth: z.number().int().min(0).default(2) }),
  validate: anvilTarget,
  async apply(ctx, target, p) {
    const snapshot = (await anvilCall(ctx, target, 'evm_snapshot')) as string;
    const before = Number(await anvilCall(ctx, target, 'eth_blockNumber'));
    let done = false;
    return {
      detail: `snapshot ${snapshot} at block ${before}`,
      revert: async () => {
        if (done) return;
        const orphaned = Number(await anvilCall(ctx, target, 'eth_blockNumber')) - before;
        await anvilCall(ctx, target, 'evm_revert', [snapshot]);
        await anvilCall(ctx, target, 'anvil_mine', [`0x${(Math.max(orphaned, 0) + p.depth).toString(16)}`]);
        done = true;
      },
    };
  },
});
