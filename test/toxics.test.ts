import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonRpc } from '../env/services/anvil.ts';
import { redisCommand } from '../env/services/redis.ts';
import type { Environment } from '../env/environment.ts';
import { faultContextOf, presets, type FaultContext } from '../toxics/index.ts';
import { resolveConfig } from '../env/config.ts';
import { startEnvironment } from '../env/environment.ts';
import { testConfig } from './support/environment.ts';

// Every non-network layer against real processes: the mocks' control API, Anvil, and signals.
describe('fault presets (http, chain, process)', () => {
  let environment: Environment;
  let ctx: FaultContext;
  const apply = (name: string, target: string, params: Record<string, unknown> = {}) =>
    presets[name]!.apply(ctx, target, presets[name]!.params.parse(params), { durationMs: 10_000 });
  const anvil = (method: string, params: unknown[] = []) => jsonRpc(environment.env.ANVIL_DIRECT_URL!, method, params);
  const account = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
  const send = () => anvil('eth_sendTransaction', [{ from: account, to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', value: '0x1' }]);

  beforeAll(async () => {
    const config = resolveConfig(testConfig({ services: { redis: true, anvil: true, rpc: true } }));
    environment = await startEnvironment(config);
    ctx = faultContextOf(environment);
  });
  afterAll(() => environment?.stop());

  it('http: applies a mock fault through its control API and clears it on revert', async () => {
    const call = () =>
      fetch(environment.env.RPC_URL!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
    expect((await call()).status).toBe(200);
    const fault = await apply('http', 'rpc', { type: 'error-rate', target: 'infura', rate: 1, status: 503 });
    expect((await call()).status).toBe(503);
    await fault.revert();
    expect((await call()).status).toBe(200);
    await fault.revert(); // already cleared: still fine
  });

  it('http: a fault the mock refuses fails the apply with its message', async () => {
    await expect(apply('http', 'rpc', { type: 'no-such-fault' })).rejects.toThrow(/no-such-fault|type/);
  });

  it('mining-stopped: transactions stay pending until mining is restored', async () => {
    const before = Number(await anvil('eth_blockNumber'));
    const fault = await apply('mining-stopped', 'anvil');
    const hash = await send();
    expect(await anvil('eth_getTransactionReceipt', [hash])).toBeNull();
    expect(Number(await anvil('eth_blockNumber'))).toBe(before);
    await fault.revert();
    await anvil('evm_mine');
    expect(await anvil('eth_getTransactionReceipt', [hash])).not.toBeNull();
    expect(await anvil('anvil_getAutomine')).toBe(true);
  });

  it('drop-mempool: pending transactions are dropped', async () => {
    const stopped = await apply('mining-stopped', 'anvil');
    const hash = await send();
    const drop = await apply('drop-mempool', 'anvil', { everyMs: 100 });
    await drop.revert();
    await stopped.revert();
    await anvil('evm_mine');
    expect(await anvil('eth_getTransactionByHash', [hash])).toBeNull();
  });

  it('reorg: blocks mined during the window are replaced by new ones and the head moves past them', async () => {
    const fault = await apply('reorg', 'anvil', { depth: 1 });
    await anvil('anvil_mine', ['0x2']);
    const height = Number(await anvil('eth_blockNumber'));
    const orphan = (await anvil('eth_getBlockByNumber', [`0x${height.toString(16)}`, false])) as { hash: string };
    await fault.revert();
    expect(Number(await anvil('eth_blockNumber'))).toBe(height + 1);
    const replaced = (await anvil('eth_getBlockByNumber', [`0x${height.toString(16)}`, false])) as { hash: string };
    expect(replaced.hash).not.toBe(orphan.hash);
  });

  it('base-fee-spike: the base fee jumps and comes back', async () => {
    const fee = async () => BigInt(((await anvil('eth_getBlockByNumber', ['latest', false])) as { baseFeePerGas: string }).baseFeePerGas);
    const normal = await fee();
    const fault = await apply('base-fee-spike', 'anvil', { gwei: 500 });
    expect(await fee()).toBe(500_000_000_000n);
    await fault.revert();
    expect(await fee()).toBeLessThan(normal * 2n + 1n);
  });

  it('pause: the service stops answering while paused and answers again after', async () => {
    const url = environment.env.REDIS_DIRECT_URL!;
    const fault = await apply('pause', 'redis');
    try {
      await expect(redisCommand(url, 'PING', 300)).rejects.toThrow(/no reply/);
    } finally {
      await fault.revert();
    }
    expect(await redisCommand(url, 'PING', 1000)).toContain('PONG');
  });

  it('kill-restart: the service dies, comes back on the same port, and env.json records the new pid', async () => {
    const url = environment.env.REDIS_DIRECT_URL!;
    const oldPid = environment.services.redis!.pid;
    const fault = await apply('kill-restart', 'redis');
    await expect(redisCommand(url, 'PING', 300)).rejects.toThrow();
    await fault.revert();
    expect(await redisCommand(url, 'PING', 1000)).toContain('PONG');
    expect(environment.services.redis!.pid).not.toBe(oldPid);
    const state = JSON.parse(readFileSync(join(environment.stateDir, 'env.json'), 'utf8'));
    expect(state.services.redis.process.pid).toBe(environment.services.redis!.pid);
  });
});
