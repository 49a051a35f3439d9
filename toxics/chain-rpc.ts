import { jsonRpc } from '../env/services/anvil.ts';
import { directUrlOf, type FaultContext, FaultError } from './fault.ts';

/** An Anvil JSON-RPC call on the direct URL of `target` (default service `anvil`). */
export async function anvilCall(ctx: FaultContext, target: string, method: string, params: unknown[] = []): Promise<unknown> {
  if (target !== 'anvil') throw new FaultError(`chain faults act on the anvil service, not "${target}"`);
  return jsonRpc(directUrlOf(ctx, 'ANVIL_URL'), method, params, 5000);
}

/** Restores the mining mode the environment configured: interval mining when it set a blockTime, else automine. */
export async function restoreMining(ctx: FaultContext, target: string): Promise<void> {
  const blockTime = (ctx.serviceOptions.anvil as { blockTime?: number } | undefined)?.blockTime;
  if (blockTime) {
    await anvilCall(ctx, target, 'evm_setIntervalMining', [blockTime]);
  } else {
    await anvilCall(ctx, target, 'evm_setIntervalMining', [0]);
    await anvilCall(ctx, target, 'evm_setAutomine', [true]);
  }
}

/**
 * Turns automine off and mines every `intervalSeconds` (0: not at all); returns the revert.
 * A failure halfway restores the configured mining first, so a failed apply leaves nothing behind.
 */
export async function replaceMining(ctx: FaultContext, target: string, intervalSeconds: number): Promise<{ revert: () => Promise<void> }> {
  try {
    await anvilCall(ctx, target, 'evm_setAutomine', [false]);
    await anvilCall(ctx, target, 'evm_setIntervalMining', [intervalSeconds]);
  } catch (error) {
    await restoreMining(ctx, target).catch(() => {});
    throw error;
  }
  return { revert: () => restoreMining(ctx, target) };
}
