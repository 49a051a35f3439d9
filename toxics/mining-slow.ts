import { z } from 'zod';
import { anvilCall, restoreMining } from './chain-rpc.ts';
import { definePreset } from './fault.ts';

/** Blocks every `intervalSeconds`: confirmations take that long. */
export const miningSlow = definePreset({
  name: 'mining-slow',
  layer: 'chain',
  description: 'anvil mines one block every intervalSeconds',
  params: z.strictObject({ intervalSeconds: z.number().int().positive() }),
  async apply(ctx, target, p) {
    await anvilCall(ctx, target, 'evm_setAutomine', [false]);
    await anvilCall(ctx, target, 'evm_setIntervalMining', [p.intervalSeconds]);
    return { revert: () => restoreMining(ctx, target) };
  },
});
