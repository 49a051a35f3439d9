import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../env/config.ts';
import rpc from './service.ts';
import { type GatewayAnswer, HANG, RpcGateway } from './gateway.ts';

// No anvil here: port 9 (discard) refuses, so whatever is forwarded answers 502. These tests
// look only at what the gateway decides before forwarding.
const NO_ANVIL = 'http://127.0.0.1:9';
const call = (id: number, method = 'eth_blockNumber') => JSON.stringify({ jsonrpc: '2.0', id, method, params: [] });
const status = (answer: GatewayAnswer) => (answer === HANG ? 'hang' : answer.status);

describe('RpcGateway decisions', () => {
  const sequence = async (seed: number) => {
    const gateway = new RpcGateway({ seed, anvilUrl: NO_ANVIL, providers: { public: { style: 'public', perSecond: 1e6 } } });
    gateway.controller.apply({ type: 'error-rate', target: 'public', rate: 0.3, status: 503 });
    gateway.controller.apply({ type: 'latency', target: 'public', rate: 0.5, distribution: { kind: 'uniform', minMs: 0, maxMs: 2 } });
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 60; i++) outcomes.push(status(await gateway.handle('public', undefined, call(i))));
    gateway.close();
    return outcomes.join(',');
  };

  it('makes the same fault decisions for the same seed and requests, and different ones for another seed', async () => {
    const first = await sequence(7);
    expect(first).toContain('503');
    expect(first).toContain('502'); // forwarded (and refused by the absent anvil)
    expect(await sequence(7)).toBe(first);
    expect(await sequence(8)).not.toBe(first);
  });

  it('refuses past the limit without charging the refused requests, and refills', async () => {
    const gateway = new RpcGateway({ seed: 1, anvilUrl: NO_ANVIL, providers: { infura: { style: 'infura', keys: ['k'], perSecond: 3 } } });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(status(await gateway.handle('infura', 'k', call(i))));
    expect(answers).toEqual([502, 502, 502, 429, 429]);
    gateway.close();
  });

  it('charges a batch by the sum of its compute units (Alchemy) and refuses it whole', async () => {
    const gateway = new RpcGateway({ seed: 1, anvilUrl: NO_ANVIL, providers: { alchemy: { style: 'alchemy', keys: ['k'], perSecond: 46 } } });
    const batch = `[${call(1, 'eth_call')},${call(2, 'eth_getBalance')}]`; // 26 + 20 CU
    expect(status(await gateway.handle('alchemy', 'k', batch))).toBe(502);
    const refused = await gateway.handle('alchemy', 'k', call(3));
    expect(refused).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    gateway.close();
  });

  it('applies a fault only to its target provider and only to the listed methods', async () => {
    const gateway = new RpcGateway({ seed: 1, anvilUrl: NO_ANVIL });
    gateway.controller.apply({ type: 'hang', target: 'alchemy', methods: ['eth_call'] });
    expect(await gateway.handle('alchemy', 'faultline-alchemy-key', call(1, 'eth_call'))).toBe(HANG);
    expect(status(await gateway.handle('alchemy', 'faultline-alchemy-key', call(2)))).toBe(502);
    expect(status(await gateway.handle('public', undefined, call(3, 'eth_call')))).toBe(502);
    gateway.close();
  });
});

describe('RpcGateway fault pipeline', () => {
  const publicGateway = (seed = 1) => new RpcGateway({ seed, anvilUrl: NO_ANVIL, providers: { public: { style: 'public', perSecond: 1e6 } } });
  const send = (id: number, raw: string) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] });

  it('decides a per-call fault once per request: a batch is rewritten whole or forwarded whole', async () => {
    const gateway = publicGateway(3);
    gateway.controller.apply({ type: 'nonce-too-low', rate: 0.5 });
    const batch = JSON.stringify(Array.from({ length: 8 }, (_, i) => send(i, '0x01')));
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const answer = await gateway.handle('public', undefined, batch);
      if (answer === HANG) throw new Error('unexpected hang');
      if (answer.status === 502) seen.add('forwarded'); // not drawn: the batch went to (absent) anvil as it came
      else seen.add(`${(JSON.parse(answer.body) as { error?: { message: string } }[]).filter((a) => a.error?.message === 'nonce too low').length} of 8`);
    }
    expect(seen).toEqual(new Set(['forwarded', '8 of 8']));
    gateway.close();
  });

  it('keeps the throttle\'s perSecond buckets per key with the fault, and a re-applied fault starts full', async () => {
    const gateway = new RpcGateway({ seed: 1, anvilUrl: NO_ANVIL, providers: { infura: { style: 'infura', keys: ['a', 'b'], perSecond: 1e6 } } });
    const fault = gateway.controller.apply({ type: 'throttle', perSecond: 1 });
    const answers = [];
    for (const key of ['a', 'a', 'b']) answers.push(status(await gateway.handle('infura', key, call(1))));
    expect(answers).toEqual([502, 429, 502]);
    gateway.controller.clear(fault.id);
    gateway.controller.apply({ type: 'throttle', perSecond: 1 });
    expect(status(await gateway.handle('infura', 'a', call(2)))).toBe(502);
    expect(gateway.controller.stats().faults).toEqual({ f1: { type: 'throttle', hits: 1 }, f2: { type: 'throttle', hits: 0 } });
    gateway.close();
  });

  it('delays before it refuses: a throttled request under latency is answered 429 after the delay, uncharged', async () => {
    const gateway = new RpcGateway({ seed: 1, anvilUrl: NO_ANVIL, providers: { public: { style: 'public', perSecond: 1 } } });
    gateway.controller.apply({ type: 'latency', distribution: { kind: 'fixed', ms: 40 } });
    const throttle = gateway.controller.apply({ type: 'throttle' });
    const started = performance.now();
    expect(status(await gateway.handle('public', undefined, call(1)))).toBe(429);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    gateway.controller.clear(throttle.id);
    expect(status(await gateway.handle('public', undefined, call(2)))).toBe(502); // the provider's own 1/s limit was not charged
    gateway.close();
  });
});

describe('the rpc service definition', () => {
  it('gives every provider its own proxy, env var and keyed path', () => {
    const config = resolveConfig({ services: { anvil: {}, rpc: true } });
    expect(rpc.endpoints!(config.services.rpc)).toEqual([
      { proxy: 'rpc-infura', envVar: 'RPC_URL', path: '/infura/faultline-infura-key' },
      { proxy: 'rpc-alchemy', envVar: 'RPC_FALLBACK_URL', path: '/alchemy/faultline-alchemy-key' },
      { proxy: 'rpc-public', envVar: 'RPC_PUBLIC_URL', path: '/public' },
    ]);
  });

  it('names the dotted path of a bad provider option', () => {
    expect(() => resolveConfig({ services: { anvil: {}, rpc: { providers: { infura: { style: 'quicknode', perSecond: 1 } } } } })).toThrow(
      /services\.rpc\.providers\.infura\.style/,
    );
  });
});
