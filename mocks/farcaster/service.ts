import { mockService } from '../service.ts';
import faults from './faults/index.ts';
import { farcasterOptionsSchema } from './options.ts';

/**
 * The Farcaster hub mock: Hubble's HTTP API under /v1, Neynar-style endpoints under
 * /v2/farcaster. Depends on anvil: its users' verified wallets are funded there at start-up.
 */
export default mockService({
  name: 'farcaster',
  description: 'Farcaster hub + Neynar-style API mock',
  options: farcasterOptionsSchema,
  envVar: 'FARCASTER_HUB_URL',
  entry: 'mocks/farcaster/main.ts',
  packages: ['viem', '@farcaster/core'],
  faults,
  dependsOn: () => ['anvil'],
});
