import { z } from 'zod';
import { replaceMining } from './chain-rpc.ts';
import { definePreset } from './fault.ts';

/** Blocks every `intervalSeconds`: confirmations take that long. */
export const miningSlow = definePreset({
  name: 'mining-slow',
  layer: 'chain',
  description: 'anvil mines one block every intervalSeconds',
  params: z.strictObject({ intervalSeconds: z.number().int().positive() }),
  async apply(ctx, target, p) {
    return replaceMining(ctx, target, p.intervalSeconds);
  },
});
