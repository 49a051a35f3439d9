import { z } from 'zod';
import { anvilCall, restoreMining } from './chain-rpc.ts';
import { definePreset } from './fault.ts';

/** No blocks are mined: transactions wait in the mempool until the fault is reverted. */
export const miningStopped = definePreset({
  name: 'mining-stopped',
  layer: 'chain',
  description: 'anvil mines no blocks (automine and interval mining off)',
  params: z.strictObject({}),
  async apply(ctx, target) {
    await anvilCall(ctx, target, 'evm_setAutomine', [false]);
    await anvilCall(ctx, target, 'evm_setIntervalMining', [0]);
    return { revert: () => restoreMining(ctx, target) };
  },
});
