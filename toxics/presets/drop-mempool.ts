import { z } from 'zod';
import { anvilCall } from '../chain-rpc.ts';
import { anvilTarget, definePreset } from '../fault.ts';

/**
 * Pending transactions vanish: dropped at apply and then every `everyMs` while the fault
 * lasts (with automine on, only transactions sent while mining is stopped stay pending).
 */
export default definePreset({
  name: 'drop-mempool',
  layer: 'chain',
  description: 'anvil drops every pending transaction (anvil_dropAllTransactions), repeatedly while applied',
  params: z.strictObject({ everyMs: z.number().int().min(50).default(500) }),
  validate: anvilTarget,
  async apply(ctx, target, p) {
    await anvilCall(ctx, target, 'anvil_dropAllTransactions');
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = anvilCall(ctx, target, 'anvil_dropAllTransactions').catch(() => {});
    }, p.everyMs);
    return {
      revert: async () => {
        clearInterval(timer);
        await running;
      },
    };
  },
});
