import { runMock } from '../http/main.ts';
import { fundWallets } from './funding.ts';
import { createFarcasterHub } from './handlers.ts';
import type { FarcasterOptionsInput } from './options.ts';

// Process entry under env:up: fund the registry's verified wallets on Anvil, then serve.
await runMock<FarcasterOptionsInput>('farcaster', async ({ seed, options, upstreams }) => {
  const started = performance.now();
  const hub = createFarcasterHub({ ...options, seed });
  const built = performance.now();
  const anvil = upstreams.anvil;
  if (anvil) await fundWallets(anvil, hub.registry.verifiedAddresses(), hub.options.balanceEth);
  else console.warn('farcaster: no anvil upstream; verified wallets are not funded');
  const ms = (from: number, to = performance.now()) => Math.round(to - from);
  console.log(`farcaster: ${hub.registry.users.length} users (registry ${ms(started, built)} ms), ${hub.registry.verifiedAddresses().length} wallets ${anvil ? `funded (${ms(built)} ms)` : 'unfunded'}`);
  return { handlers: hub.handlers };
});
