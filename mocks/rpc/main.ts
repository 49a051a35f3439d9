import type { MockLaunch } from '../http/main.ts';
import { RpcGateway } from './gateway.ts';
import type { RpcOptions } from './providers.ts';
import { serveRpcGateway } from './server.ts';

// The rpc service's process (mocks/rpc/service.ts): the gateway in front of the anvil service.
// Like runMock (mocks/http/main.ts), but serving through serveRpcGateway for its direct hot path.
const raw = process.argv[2];
if (!raw) throw new Error(`usage: rpc '<launch json: {"port":…,"seed":…,"options":{…},"upstreams":{"anvil":…}}>'`);
const { port, seed, options, upstreams } = JSON.parse(raw) as MockLaunch<RpcOptions>;
if (!upstreams.anvil) throw new Error('rpc gateway: no anvil upstream in the launch JSON; the rpc service depends on the anvil service');
const served = await serveRpcGateway(new RpcGateway({ seed, anvilUrl: upstreams.anvil, providers: options.providers }), { port });
console.log(`rpc mock listening on ${served.url} (seed ${seed}; providers ${[...served.gateway.providers.keys()].join(', ')})`);
const shutdown = async () => {
  await served.close();
  process.exit(0);
};
process.once('SIGTERM', shutdown).once('SIGINT', shutdown);
