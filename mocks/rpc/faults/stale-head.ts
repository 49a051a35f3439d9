import { z } from 'zod';
import { rpcResult } from '../answers.ts';
import { defineRpcFault } from './_fault.ts';

/** eth_blockNumber and "latest" lag the real head by N blocks: a provider whose node fell behind. */
export default defineRpcFault({
  type: 'stale-head',
  description: 'eth_blockNumber and "latest" block tags lag the chain head by `blocks`',
  params: z.strictObject({ blocks: z.number().int().min(1) }),
  // A node that lags does so for every request, not a share of them.
  sampled: false,
  call({ call, upstream }, { params }) {
    if (call.method !== 'eth_blockNumber' && !hasLatestTag(call.raw)) return undefined;
    return (async () => {
      const head = BigInt(await upstream.call<string>('eth_blockNumber'));
      const lagged = `0x${(head > BigInt(params.blocks) ? head - BigInt(params.blocks) : 0n).toString(16)}`;
      if (call.method === 'eth_blockNumber') return rpcResult(call.id, lagged);
      return (await upstream.post(JSON.stringify(replaceLatest(call.raw, lagged)))).body;
    })();
  },
});

function hasLatestTag(raw: any): boolean {
  return Array.isArray(raw?.params) && raw.params.some((p: unknown) => p === 'latest' || (isObject(p) && (p.fromBlock === 'latest' || p.toBlock === 'latest')));
}

function replaceLatest(raw: any, block: string): unknown {
  const swap = (p: unknown): unknown => {
    if (p === 'latest') return block;
    if (isObject(p) && (p.fromBlock === 'latest' || p.toBlock === 'latest')) {
      return { ...p, ...(p.fromBlock === 'latest' ? { fromBlock: block } : {}), ...(p.toBlock === 'latest' ? { toBlock: block } : {}) };
    }
    return p;
  };
  return { ...raw, params: raw.params.map(swap) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
