import { z } from 'zod';
import { replaceMining } from '../chain-rpc.ts';
import { anvilTarget, definePreset } from '../fault.ts';

/** No blocks are mined: transactions wait in the mempool until the fault is reverted. */
export default definePreset({
  name: 'mining-stopped',
  layer: 'chain',
  exclusive: 'mining',
  description: 'anvil mines no blocks (automine and interval mining off)',
  params: z.strictObject({}),
  validate: anvilTarget,
  async apply(ctx, target) {
    return replaceMining(ctx, target, 0);
  },
});
