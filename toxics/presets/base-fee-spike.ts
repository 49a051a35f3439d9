import { z } from 'zod';
import { anvilCall } from '../chain-rpc.ts';
import { anvilTarget, definePreset } from '../fault.ts';

/** The next block's base fee jumps to `gwei`; reverted by setting it back to what it was. */
export default definePreset({
  name: 'base-fee-spike',
  layer: 'chain',
  exclusive: 'base-fee',
  description: 'base fee per gas spikes to gwei (anvil_setNextBlockBaseFeePerGas)',
  params: z.strictObject({ gwei: z.number().positive() }),
  validate: anvilTarget,
  async apply(ctx, target, p) {
    const latest = (await anvilCall(ctx, target, 'eth_getBlockByNumber', ['latest', false])) as { baseFeePerGas?: string };
    const previous = BigInt(latest.baseFeePerGas ?? '0x3b9aca00');
    const spike = BigInt(Math.round(p.gwei * 1e9));
    const restore = async () => {
      await anvilCall(ctx, target, 'anvil_setNextBlockBaseFeePerGas', [`0x${previous.toString(16)}`]);
      await anvilCall(ctx, target, 'anvil_mine', ['0x1']);
    };
    await anvilCall(ctx, target, 'anvil_setNextBlockBaseFeePerGas', [`0x${spike.toString(16)}`]);
    try {
      // Mine one block so the spike is visible to eth_gasPrice / eth_feeHistory at once.
      await anvilCall(ctx, target, 'anvil_mine', ['0x1']);
    } catch (error) {
      // The spike is set but not mined: undo it, so a failed apply leaves nothing behind.
      await restore().catch(() => {});
      throw error;
    }
    return { detail: `${previous} → ${spike} wei`, revert: restore };
  },
});
