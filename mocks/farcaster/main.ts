import { runMock } from '../http/main.ts';
import { fundWallets } from './funding.ts';
import { createFarcasterHub, loadMessages } from './handlers.ts';
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
  // Warm the message builders (@farcaster/core) once the readiness probe has had its answer,
  // so the first read or validateMessage does not pay for the import.
  setTimeout(() => {
    const warming = performance.now();
    void loadMessages().then(() => console.log(`farcaster: message builders loaded in ${ms(warming)} ms`));
  }, 500).unref();
  return { handlers: hub.handlers };
});
