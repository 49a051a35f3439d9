import { farcasterOptionsSchema } from '../../mocks/farcaster/options.ts';
import { mockService } from './mock-process.ts';

/**
 * The Farcaster hub mock: Hubble's HTTP API under /v1, Neynar-style endpoints under
 * /v2/farcaster. Depends on anvil: its users' verified wallets are funded there at start-up.
 */
export const farcaster = mockService({
  name: 'farcaster',
  description: 'Farcaster hub + Neynar-style API mock (mocks/farcaster)',
  options: farcasterOptionsSchema,
  envVar: 'FARCASTER_HUB_URL',
  entry: 'mocks/farcaster/main.ts',
  dependsOn: () => ['anvil'],
});
