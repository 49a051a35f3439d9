import { mockService } from '../service.ts';
import faults from './faults/index.ts';
import { providerEnvVar, providerPath, rpcOptionsSchema } from './providers.ts';

/**
 * The Ethereum RPC provider gateway in front of anvil: RPC_GATEWAY_URL is its root
 * (control API), and each simulated provider gets its own Toxiproxy proxy and URL
 * (RPC_URL = infura, RPC_FALLBACK_URL = alchemy, RPC_PUBLIC_URL = public by default).
 */
export default mockService({
  name: 'rpc',
  description: 'Ethereum RPC provider gateway (simulated Infura / Alchemy / public endpoints) in front of anvil',
  options: rpcOptionsSchema,
  envVar: 'RPC_GATEWAY_URL',
  entry: 'mocks/rpc/main.ts',
  packages: ['viem'],
  faults,
  dependsOn: () => ['anvil'],
  endpoints: (options) =>
    Object.entries(options.providers).map(([name, provider]) => ({
      proxy: `rpc-${name}`,
      envVar: providerEnvVar(name, provider),
      path: providerPath(name, provider),
    })),
});
