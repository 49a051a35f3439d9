import { FaultlineError } from '../../lib/errors.ts';
import type { Hex } from './registry.ts';

/** Anvil refused or failed to fund the registry's wallets. */
export class WalletFundingError extends FaultlineError {
  constructor(anvilUrl: string, reason: string) {
    super(`could not fund the Farcaster users' verified wallets on Anvil at ${anvilUrl}: ${reason}. Is anvil running (it is a dependency of the farcaster service)?`);
    this.name = 'WalletFundingError';
  }
}

/** Sets each address's balance on Anvil (anvil_setBalance), in one JSON-RPC batch per 500 addresses. */
export async function fundWallets(anvilUrl: string, addresses: Hex[], balanceEth: number): Promise<void> {
  // Ether → wei without floating-point drift: whole gwei first (1e9), then exact BigInt maths.
  const balance = `0x${(BigInt(Math.round(balanceEth * 1e9)) * 10n ** 9n).toString(16)}`;
  for (let start = 0; start < addresses.length; start += 500) {
    const batch = addresses.slice(start, start + 500).map((address, i) => ({ jsonrpc: '2.0', id: start + i, method: 'anvil_setBalance', params: [address, balance] }));
    let response: Response;
    try {
      response = await fetch(anvilUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch), signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new WalletFundingError(anvilUrl, (error as Error).message);
    }
    if (!response.ok) throw new WalletFundingError(anvilUrl, `HTTP ${response.status}`);
    const results = (await response.json()) as { error?: { message: string } }[];
    const failed = results.find((r) => r.error);
    if (failed) throw new WalletFundingError(anvilUrl, failed.error!.message);
  }
}
