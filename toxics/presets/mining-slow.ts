import { z } from 'zod';
import { replaceMining } from '../chain-rpc.ts';
import { anvilTarget, definePreset } from '../fault.ts';

/** Blocks every `intervalSeconds`: confirmations take that long. */
export default definePreset({
  name: 'mining-slow',
  layer: 'chain',
  exclusive: 'mining',
  description: 'anvil mines one block every intervalSeconds',
  params: z.strictObject({ intervalSeconds: z.number().int().positive() }),
  validate: anvilTarget,
  async apply(ctx, target, p) {
    return replaceMining(ctx, target, p.intervalSeconds);
  },
});
