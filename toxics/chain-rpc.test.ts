import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaceMining } from './chain-rpc.ts';
import type { FaultContext } from './fault.ts';

// A JSON-RPC stand-in for Anvil that refuses interval mining of 5 s, to break an apply halfway.
describe('replaceMining', () => {
  const calls: string[] = [];
  let server: Server;
  let ctx: FaultContext;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const { method, params } = JSON.parse(body) as { method: string; params: unknown[] };
        calls.push(`${method} ${JSON.stringify(params)}`);
        const refused = method === 'evm_setIntervalMining' && params[0] === 5;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(refused ? { jsonrpc: '2.0', id: 1, error: { message: 'refused' } } : { jsonrpc: '2.0', id: 1, result: null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ctx = { env: { ANVIL_DIRECT_URL: url }, toxiproxyUrl: '', seed: 1, serviceOptions: {} };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('restores automine when the apply fails after turning it off', async () => {
    calls.length = 0;
    await expect(replaceMining(ctx, 'anvil', 5)).rejects.toThrow(/evm_setIntervalMining: refused/);
    expect(calls).toEqual(['evm_setAutomine [false]', 'evm_setIntervalMining [5]', 'evm_setIntervalMining [0]', 'evm_setAutomine [true]']);
  });

  it('leaves mining replaced after a successful apply until the revert', async () => {
    calls.length = 0;
    const fault = await replaceMining(ctx, 'anvil', 0);
    expect(calls).toEqual(['evm_setAutomine [false]', 'evm_setIntervalMining [0]']);
    await fault.revert();
    expect(calls.slice(2)).toEqual(['evm_setIntervalMining [0]', 'evm_setAutomine [true]']);
  });
});
