import { z } from 'zod';
import { fetchJson, HttpStatusError } from '../../lib/http.ts';
import { portSchema } from '../../lib/schema.ts';
import { externalOption } from '../external.ts';
import { defineService } from '../service.ts';

const options = z.strictObject({
  port: portSchema.optional(),
  /** A server you already run: proxied, not started (see env/external.ts). */
  external: externalOption,
  chainId: z.number().int().positive().default(31337),
  accounts: z.number().int().min(1).max(1000).default(10),
  /** Balance of each dev account, in ether. */
  balance: z.number().positive().default(10_000),
  /** Seconds between blocks; omit to mine a block per transaction (anvil's default). */
  blockTime: z.number().positive().optional(),
  mnemonic: z.string().default('test test test test test test test test test test test junk'),
});
type Options = z.infer<typeof options>;

/** Anvil, Foundry's local Ethereum node, from the @foundry-rs/anvil npm package. */
export default defineService({
  name: 'anvil',
  description: 'Anvil local Ethereum node',
  options,
  envVar: 'ANVIL_URL',
  // Apps reach the chain through anvil's own proxy until a simulated provider fronts it.
  fallbackEnvVars: ['RPC_URL'],
  url: (_o: Options, host, port) => `http://${host}:${port}`,

  async prepare(ctx, o, port) {
    const tool = await ctx.tools.get('anvil');
    return { command: tool.path, args: anvilArgs(o, '127.0.0.1', port) };
  },

  container: (_ctx, o) => ({
    image: 'ghcr.io/foundry-rs/foundry:v1.7.1',
    port: 8545,
    // Foundry's image has a `/bin/sh -c` entrypoint; calling anvil directly spares quoting the mnemonic.
    entrypoint: ['anvil'],
    command: anvilArgs(o, '0.0.0.0', 8545),
  }),

  // Chain faults stop or slow mining: back to the configured mode (interval mining, or a block per transaction).
  async reset(url, o) {
    await jsonRpc(url, 'evm_setIntervalMining', [o.blockTime ?? 0]);
    if (o.blockTime === undefined) await jsonRpc(url, 'evm_setAutomine', [true]);
  },

  async probe(url) {
    await jsonRpc(url, 'eth_blockNumber');
    const version = String(await jsonRpc(url, 'web3_clientVersion'));
    return /anvil\/v?([^/]+)/.exec(version)?.[1] ?? version;
  },
});

function anvilArgs(o: Options, host: string, port: number): string[] {
  const args = [
    '--host', host,
    '--port', String(port),
    '--chain-id', String(o.chainId),
    '--accounts', String(o.accounts),
    '--balance', String(o.balance),
    '--mnemonic', o.mnemonic,
    '--silent',
  ];
  if (o.blockTime !== undefined) args.push('--block-time', String(o.blockTime));
  return args;
}

/** A single JSON-RPC call; throws on transport or RPC errors. */
export async function jsonRpc(url: string, method: string, params: unknown[] = [], timeoutMs = 2000): Promise<unknown> {
  const body = await fetchJson<{ result?: unknown; error?: { message: string } }>(url, { body: { jsonrpc: '2.0', id: 1, method, params }, timeoutMs }).catch((error: Error) => {
    throw error instanceof HttpStatusError ? new Error(`${method}: HTTP ${error.status}`) : error;
  });
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
