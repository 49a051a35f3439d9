import { setupServer } from 'msw/node';
import {
  createPublicClient,
  createWalletClient,
  fallback,
  HttpRequestError,
  http,
  InternalRpcError,
  InvalidRequestRpcError,
  LimitExceededRpcError,
  NonceTooLowError,
  parseEther,
  type PublicClient,
  TimeoutError,
  type Transport,
  webSocket,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Environment } from '../../env/environment.ts';
import { MockControl, MockControlError } from '../../mocks/control/client.ts';
import { rpcHandlers } from '../../mocks/rpc/handlers.ts';
import { testEnvironment } from '../support/environment.ts';

const MNEMONIC = 'test test test test test test test test test test test junk';
const blockNumber = { method: 'eth_blockNumber' } as const;

describe('the rpc gateway service (viem through env:up)', () => {
  let env: Environment;
  let control: MockControl;
  const client = (url: string, options: { retryCount?: number; retryDelay?: number; timeout?: number } = {}): PublicClient =>
    createPublicClient({ chain: foundry, transport: http(url, { retryCount: 0, ...options }) });
  const anvil = () => client(env.services.anvil!.directUrl);
  /** Raw answer, to pin the provider's exact wire shape. */
  const post = async (url: string, body: unknown) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const call = (id: number, method = 'eth_blockNumber') => ({ jsonrpc: '2.0', id, method, params: [] });

  beforeAll(async () => {
    env = await testEnvironment({
      seed: 42,
      services: {
        anvil: {},
        rpc: {
          providers: {
            infura: { style: 'infura', keys: ['infura-key'], perSecond: 1000 },
            alchemy: { style: 'alchemy', keys: ['alchemy-key'], perSecond: 100_000, windowSeconds: 10 },
            public: { style: 'public', perSecond: 1000 },
            // Tight limits, so a test can cross them with a handful of calls.
            legacy: { style: 'infura', keys: ['k'], perSecond: 2, legacyErrors: true },
            tight: { style: 'alchemy', keys: ['k'], perSecond: 10, windowSeconds: 1 }, // one eth_blockNumber (10 CU) per second
            metered: { style: 'infura', keys: ['k'], perSecond: 1000, dailyCredits: 3 },
          },
        },
      },
    });
    control = new MockControl(env.env.RPC_GATEWAY_DIRECT_URL!);
  });
  afterEach(async () => {
    await control?.reset();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('gives each provider its own proxy and env var, and the gateway root its control API', async () => {
    expect(env.env.RPC_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/infura\/infura-key$/);
    expect(env.env.RPC_FALLBACK_URL).toMatch(/\/alchemy\/alchemy-key$/);
    expect(env.env.RPC_PUBLIC_URL).toMatch(/\/public$/);
    expect(env.env.RPC_LEGACY_URL).toMatch(/\/legacy\/k$/);
    const ports = ['RPC_URL', 'RPC_FALLBACK_URL', 'RPC_PUBLIC_URL', 'RPC_GATEWAY_URL'].map((v) => new URL(env.env[v]!).port);
    expect(new Set(ports).size).toBe(4);
    expect(await control.health()).toEqual({ ok: true, service: 'rpc', seed: 42 });
    const proxies = await env.toxiproxy.getAll();
    expect(Object.keys(proxies)).toEqual(expect.arrayContaining(['rpc', 'rpc-infura', 'rpc-alchemy', 'rpc-public']));
  });

  it('reads blocks and sends a transaction through the Infura-style provider', async () => {
    const chain = client(env.env.RPC_URL!);
    expect(await chain.getChainId()).toBe(31337);
    const latest = await chain.getBlock({ blockTag: 'latest' });
    expect(latest.number).toBe(await anvil().getBlockNumber());

    const from = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
    const to = mnemonicToAccount(MNEMONIC, { addressIndex: 1 }).address;
    const wallet = createWalletClient({ account: from, chain: foundry, transport: http(env.env.RPC_URL!, { retryCount: 0 }) });
    const before = await anvil().getBalance({ address: to });
    const hash = await wallet.sendTransaction({ to, value: parseEther('1.5') });
    const receipt = await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt.status).toBe('success');
    expect(await anvil().getBalance({ address: to })).toBe(before + parseEther('1.5'));
    expect((await control.stats()).requests['infura eth_sendRawTransaction']).toBe(1);
  });

  it('forwards a JSON-RPC batch and answers it as a batch', async () => {
    const answer = await post(env.env.RPC_PUBLIC_URL!, [call(1), call(2, 'eth_chainId')]);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { id: number; result: string }[];
    expect(body.map((r) => r.id)).toEqual([1, 2]);
    expect(body[1]!.result).toBe('0x7a69');
  });

  it("answers a wrong key with each provider's real unauthorized response", async () => {
    const infura = await post(env.env.RPC_URL!.replace('infura-key', 'nope'), call(1));
    expect(infura).toMatchObject({ status: 401, text: 'invalid project id\n' });
    const error = await client(env.env.RPC_FALLBACK_URL!.replace('alchemy-key', 'nope')).getBlockNumber().catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestRpcError);
    expect(error.details).toBe('Must be authenticated!');
  });

  it('raises LimitExceededRpcError (retryCount 0) past an Infura-style request rate, with the legacy -32005 body', async () => {
    const url = env.env.RPC_LEGACY_URL!;
    const chain = client(url);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => chain.request(blockNumber)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const r of refused) expect(r.reason).toBeInstanceOf(LimitExceededRpcError);

    const raw = await post(url, call(9));
    expect(raw.status).toBe(429);
    const body = JSON.parse(raw.text);
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32005, message: 'project ID request rate exceeded', data: { allowed_rps: 2 } } });
    expect(body.error.data.backoff_seconds).toBeGreaterThanOrEqual(1);
  });

  it('succeeds once the window passes when viem retries an Infura-style refusal', async () => {
    const url = env.env.RPC_LEGACY_URL!;
    await Promise.allSettled(Array.from({ length: 4 }, () => client(url).request(blockNumber)));
    // Backoff 150, 300, 600 ms: the bucket refills one request per 500 ms.
    expect(typeof (await client(url, { retryCount: 3 }).request(blockNumber))).toBe('string');
  });

  it('answers an Alchemy-style CU limit with 429 + Retry-After, which viem honours before retrying', async () => {
    const url = env.env.RPC_TIGHT_URL!;
    await client(url).request(blockNumber).catch(() => {}); // spend the 10 CU
    const raw = await post(url, call(3));
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(raw.text).error).toMatchObject({ code: 429, message: expect.stringContaining('exceeded its compute units per second capacity') });

    // Without Retry-After viem would retry after 2 × 10 ms and be refused again.
    const started = Date.now();
    expect(typeof (await client(url, { retryCount: 1, retryDelay: 10 }).request(blockNumber))).toBe('string');
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  });

  it('answers 402 with Infura\'s "Payment Required" once the daily credits are used', async () => {
    const url = env.env.RPC_METERED_URL!;
    for (let i = 0; i < 3; i++) expect((await post(url, call(i))).status).toBe(200);
    const raw = await post(url, call(4));
    expect(raw.status).toBe(402);
    expect(JSON.parse(raw.text)).toMatchObject({ id: 4, error: { code: 402, event: -33000, message: 'Payment Required' } });
  });

  it('keeps a fallback([infura, alchemy]) client working while infura is throttled', async () => {
    const throttle = await control.apply({ type: 'throttle', target: 'infura', rate: 1 });
    const raw = await post(env.env.RPC_URL!, call(5));
    expect(raw.status).toBe(429);
    expect(JSON.parse(raw.text)).toMatchObject({ id: 5, error: { code: 429, event: -33200, message: 'Too Many Requests' } });
    expect(raw.headers.get('retry-after')).toBeNull(); // Infura sends none unless the fault asks for one

    const transport: Transport = fallback([http(env.env.RPC_URL!, { retryCount: 0 }), http(env.env.RPC_FALLBACK_URL!, { retryCount: 0 })]);
    const chain = createPublicClient({ chain: foundry, transport });
    for (let i = 0; i < 5; i++) expect(typeof (await chain.request(blockNumber))).toBe('string');
    const stats = await control.stats();
    expect(stats.faults[throttle.id]!.hits).toBeGreaterThanOrEqual(1);
    expect(stats.requests['alchemy eth_blockNumber']).toBeGreaterThanOrEqual(5);

    await control.apply({ type: 'throttle', target: 'infura', retryAfterSeconds: 2 });
    expect((await post(env.env.RPC_URL!, call(6))).headers.get('retry-after')).toBe('2');
  });

  it('injects an error rate with a JSON-RPC code or an HTTP status', async () => {
    await control.apply({ type: 'error-rate', target: 'public', code: -32603, message: 'boom' });
    expect(await client(env.env.RPC_PUBLIC_URL!).request(blockNumber).catch((e) => e)).toBeInstanceOf(InternalRpcError);
    await control.clear();
    await control.apply({ type: 'error-rate', target: 'public', status: 503 });
    const error = await client(env.env.RPC_PUBLIC_URL!).request(blockNumber).catch((e) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.status).toBe(503);
  });

  it('adds latency from a distribution, hangs until the client gives up, and sends malformed JSON', async () => {
    const chain = client(env.env.RPC_PUBLIC_URL!, { timeout: 400 });
    const latency = await control.apply({ type: 'latency', target: 'public', distribution: { kind: 'fixed', ms: 150 } });
    let started = Date.now();
    await chain.request(blockNumber);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    await control.clear(latency.id);

    const hang = await control.apply({ type: 'hang', target: 'public' });
    started = Date.now();
    expect(await chain.request(blockNumber).catch((e) => e)).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    await control.clear(hang.id);

    await control.apply({ type: 'malformed', target: 'public' });
    const error = await chain.request(blockNumber).catch((e) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(String(error.cause)).toMatch(/JSON/);
  });

  it('serves a stale head: eth_blockNumber and "latest" lag by N blocks', async () => {
    await anvil().request({ method: 'anvil_mine' as any, params: ['0x5'] as any });
    const head = await anvil().getBlockNumber();
    await control.apply({ type: 'stale-head', target: 'public', blocks: 3 });
    const chain = client(env.env.RPC_PUBLIC_URL!);
    expect(BigInt(await chain.request(blockNumber))).toBe(head - 3n);
    expect((await chain.getBlock({ blockTag: 'latest' })).number).toBe(head - 3n);
  });

  it('drops transactions (a hash comes back, the chain never sees them) and answers nonce too low', async () => {
    const from = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
    const wallet = createWalletClient({ account: from, chain: foundry, transport: http(env.env.RPC_PUBLIC_URL!, { retryCount: 0 }) });
    const nonce = await anvil().getTransactionCount({ address: from.address });

    await control.apply({ type: 'dropped-transactions', target: 'public' });
    const hash = await wallet.sendTransaction({ to: from.address, value: 1n });
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    await expect(anvil().getTransaction({ hash })).rejects.toThrow(/could not be found/);
    expect(await anvil().getTransactionCount({ address: from.address })).toBe(nonce);
    await control.clear();

    await control.apply({ type: 'nonce-too-low', target: 'public' });
    const error = await wallet.sendTransaction({ to: from.address, value: 1n }).catch((e) => e);
    expect(error.walk((e: unknown) => e instanceof NonceTooLowError)).toBeInstanceOf(NonceTooLowError);
  });

  it('rejects a bad control request with 400 naming the field, and applies nothing', async () => {
    const badParam = await control.apply({ type: 'latency', target: 'public', distribution: { kind: 'fixed' } }).catch((e) => e);
    expect(badParam).toBeInstanceOf(MockControlError);
    expect(badParam).toMatchObject({ status: 400, field: expect.stringMatching(/^distribution/) });
    const badTarget = await control.apply({ type: 'throttle', target: 'quicknode' }).catch((e) => e);
    expect(badTarget).toMatchObject({ status: 400, field: 'target', expected: expect.stringContaining('"infura"') });
    const badType = await control.apply({ type: 'reorg' }).catch((e) => e);
    expect(badType).toMatchObject({ status: 400, field: 'type' });
    expect(await control.list()).toEqual([]);
  });

  it('makes identical fault decisions for the same seed and request sequence', async () => {
    const run = async () => {
      await control.reset();
      await control.apply({ type: 'error-rate', target: 'public', rate: 0.5, code: -32000, message: 'sampled' });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) outcomes.push((await post(env.env.RPC_PUBLIC_URL!, call(i))).text.includes('sampled') ? 'x' : '.');
      return outcomes.join('');
    };
    const first = await run();
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await run()).toBe(first);
  });

  it('passes eth_subscribe newHeads through over WebSocket, so viem sees new blocks', async () => {
    const chain = createPublicClient({ chain: foundry, transport: webSocket(env.env.RPC_URL!.replace(/^http/, 'ws'), { retryCount: 0 }) });
    try {
      const head = await chain.getBlockNumber({ cacheTime: 0 });
      expect(head).toBe(await anvil().getBlockNumber());
      const seen: bigint[] = [];
      const sawTwo = new Promise<void>((resolve, reject) => {
        // The cast: viem 2.57's types reject `poll: false` here although it is the documented WebSocket mode.
        const unwatch = chain.watchBlockNumber({
          poll: false as unknown as true,
          onBlockNumber: (n) => {
            seen.push(n);
            if (seen.length === 2) {
              unwatch();
              resolve();
            }
          },
          onError: reject,
        });
      });
      await expect.poll(async () => (await control.stats()).requests['infura eth_subscribe'] ?? 0).toBe(1);
      // Mine until two heads arrive: the subscription may reach anvil a moment after the gateway counted it.
      for (let i = 0; i < 30 && seen.length < 2; i++) {
        await anvil().request({ method: 'anvil_mine' as any, params: ['0x1'] as any });
        await Promise.race([sawTwo, new Promise((r) => setTimeout(r, 100))]);
      }
      await sawTwo;
      expect(seen[0]).toBeGreaterThan(head);
      expect(seen[1]).toBe(seen[0]! + 1n);
    } finally {
      await (await chain.transport.getRpcClient()).close();
    }
  });

  it('answers a throttled Alchemy-style call over WebSocket with JSON-RPC error 429, and refuses a bad key at the handshake', async () => {
    await control.apply({ type: 'throttle', target: 'alchemy', rate: 1 });
    const chain = createPublicClient({ chain: foundry, transport: webSocket(env.env.RPC_FALLBACK_URL!.replace(/^http/, 'ws'), { retryCount: 0 }) });
    try {
      const error = await chain.request(blockNumber).catch((e) => e);
      expect(error.code).toBe(429);
      expect(error.details).toMatch(/compute units per second capacity/);
    } finally {
      await (await chain.transport.getRpcClient()).close();
    }
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(env.env.RPC_URL!.replace(/^http/, 'ws').replace('infura-key', 'nope'));
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => reject(new Error('handshake accepted with a wrong key')));
      socket.on('error', () => {});
    });
    expect(status).toBe(401);
  });

  it('severs a WebSocket once the daily credits are used, after answering 402', async () => {
    const socket = new WebSocket(env.env.RPC_METERED_URL!.replace(/^http/, 'ws'));
    const messages: { id: number; error?: { code: number } }[] = [];
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    for (let i = 1; i <= 4; i++) {
      const answered = new Promise<void>((resolve) => socket.once('message', (data) => resolve(void messages.push(JSON.parse(String(data))))));
      socket.send(JSON.stringify(call(i)));
      await answered;
    }
    expect(await closed).toBe(1008);
    expect(messages.map((m) => m.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 402]);
  });

  it('serves the same handlers in-process through msw setupServer', async () => {
    const server = setupServer(...rpcHandlers({ seed: 1, anvilUrl: env.services.anvil!.directUrl }));
    server.listen({ onUnhandledRequest: 'bypass' });
    try {
      const chain = client('http://rpc.faultline.test/infura/faultline-infura-key');
      expect(await chain.getChainId()).toBe(31337);
      expect(await chain.getBlockNumber()).toBe(await anvil().getBlockNumber());
      const raw = await post('http://rpc.faultline.test/infura/wrong', call(1));
      expect(raw).toMatchObject({ status: 401, text: 'invalid project id\n' });
    } finally {
      server.close();
    }
  });
});
