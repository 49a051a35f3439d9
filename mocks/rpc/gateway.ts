import { setTimeout as sleep } from 'node:timers/promises';
import { keccak256 } from 'viem';
import { type ActiveFault, FaultController } from '../control/faults.ts';
import { type Random, sample } from '../control/random.ts';
import { creditsExhausted, type Reply, type RpcId, rateLimited, rpcError, unauthorized } from './answers.ts';
import type { ErrorRateParams, LatencyParams, StaleHeadParams, ThrottleParams } from './faults.ts';
import { rpcFaults } from './faults.ts';
import { costOf, type ProviderOptions, rpcOptionsSchema } from './providers.ts';
import { DailyCredits, TokenBucket } from './token-bucket.ts';
import { Upstream } from './upstream.ts';

export interface RpcGatewayOptions {
  /** Every random fault decision derives from it: same seed + same requests = same answers. */
  seed: number;
  /** Anvil's direct HTTP URL. */
  anvilUrl: string;
  /** Simulated providers by name (the first path segment); defaults: infura, alchemy, public. */
  providers?: Record<string, Partial<ProviderOptions> & Pick<ProviderOptions, 'style' | 'perSecond'>>;
}

/** Returned instead of a reply by a "hang" fault: answer nothing until the client gives up. */
export const HANG = Symbol('hang');
export type GatewayAnswer = Reply | typeof HANG;

export interface Call {
  id: RpcId;
  method: string;
  raw: any;
}

/** Limits of one API key of one provider. */
interface KeyState {
  bucket: TokenBucket;
  credits?: DailyCredits;
  /** Requests in the current wall-clock second, for Infura's `current_rps`. */
  second: number;
  count: number;
}

export interface Provider {
  name: string;
  options: ProviderOptions;
  keys: Map<string, KeyState>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * The RPC provider gateway: several simulated providers (by path) in front of one Anvil,
 * each with its own key check, throughput limit and daily credits, answering refusals in
 * that provider's exact shape, plus the faults of mocks/rpc/faults.ts. HTTP handlers
 * (handlers.ts) and the WebSocket bridge (websocket.ts) both call `handle`.
 */
export class RpcGateway {
  readonly controller: FaultController;
  readonly providers = new Map<string, Provider>();
  readonly upstream: Upstream;
  private readonly faultBuckets = new Map<string, TokenBucket>();

  constructor(options: RpcGatewayOptions) {
    const { providers } = rpcOptionsSchema.parse(options.providers ? { providers: options.providers } : {});
    for (const [name, provider] of Object.entries(providers)) this.providers.set(name, { name, options: provider, keys: new Map() });
    this.controller = new FaultController('rpc', rpcFaults, options.seed, { targets: [...this.providers.keys()] });
    this.upstream = new Upstream(options.anvilUrl);
  }

  /** `/<provider>[/<key>]` (path and query) for a known provider, else undefined. */
  route(url: string): { name: string; key?: string } | undefined {
    const end = url.search(/[?#]/);
    const path = end === -1 ? url : url.slice(0, end);
    const slash = path.indexOf('/', 1);
    const name = slash === -1 ? path.slice(1) : path.slice(1, slash);
    if (!this.providers.has(name)) return undefined;
    const key = slash === -1 ? undefined : path.slice(slash + 1).replace(/\/$/, '');
    if (key?.includes('/')) return undefined;
    return { name, key: key || undefined };
  }

  /** Answers one HTTP JSON-RPC request (single or batch) for `/<providerName>/<key>`. */
  async handle(providerName: string, key: string | undefined, body: string): Promise<GatewayAnswer> {
    const provider = this.providers.get(providerName);
    if (!provider) return { status: 404, headers: JSON_HEADERS, body: JSON.stringify({ error: { message: `no provider "${providerName}"` } }) };
    const request = parseRequest(body);
    if (!request) return rpcError(200, [null], false, { code: -32700, message: 'Parse error' });
    const { calls, batch } = request;
    const refused = await this.admit(provider, key, calls, batch);
    if (refused) return refused;
    return this.forward(provider, calls, batch, body);
  }

  /**
   * Key check, stats, faults that refuse or delay, and limits. Resolves to the refusal, or
   * undefined when the calls may go on to anvil (charged to the key's limits).
   */
  async admit(provider: Provider, key: string | undefined, calls: Call[], batch: boolean): Promise<GatewayAnswer | undefined> {
    const { name, options } = provider;
    const ids = calls.map((c) => c.id);
    if (options.keys.length > 0 && (key === undefined || !options.keys.includes(key))) return unauthorized(options.style, ids, batch);
    const state = this.keyState(provider, key ?? '');
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== state.second) {
      state.second = second;
      state.count = 0;
    }
    state.count++;
    let cost = 0;
    for (const call of calls) {
      this.controller.countRequest(`${name} ${call.method}`);
      cost += costOf(options, call.method);
    }

    const hang = this.decide(this.controller.find('hang', name), calls);
    if (hang) return HANG;
    const latency = this.decide<LatencyParams>(this.controller.find('latency', name), calls);
    if (latency) await sleep(sample(latency.params.distribution, this.controller.stream(`latency:${name}`)));

    const throttle = this.controller.find<ThrottleParams>('throttle', name);
    if (throttle && matches(throttle, calls)) {
      const { perSecond, retryAfterSeconds = 1, legacy = options.legacyErrors } = throttle.params;
      let retryAfterMs: number | undefined;
      if (perSecond !== undefined) {
        const bucket = this.faultBucket(throttle, key ?? '', perSecond);
        const taken = bucket.take(cost, now);
        if (!taken.ok) retryAfterMs = Math.max(taken.retryAfterMs, retryAfterSeconds * 1000);
      } else if (this.controller.stream(`throttle:${name}`).chance(throttle.params.rate)) {
        retryAfterMs = retryAfterSeconds * 1000;
      }
      if (retryAfterMs !== undefined) {
        this.controller.hit(throttle);
        const retryAfterHeader = throttle.params.retryAfterSeconds !== undefined;
        return rateLimited(options.style, ids, batch, { retryAfterMs, legacy, allowedRps: perSecond ?? options.perSecond, currentRps: state.count, retryAfterHeader });
      }
    }

    const taken = state.bucket.take(cost, now);
    if (!taken.ok) {
      return rateLimited(options.style, ids, batch, { retryAfterMs: taken.retryAfterMs, legacy: options.legacyErrors, allowedRps: options.perSecond, currentRps: state.count });
    }
    if (state.credits && !state.credits.take(cost, now)) return creditsExhausted(options.style, ids, batch);

    const failure = this.decide<ErrorRateParams>(this.controller.find('error-rate', name), calls);
    if (failure) {
      const { status, code, message } = failure.params;
      if (code === undefined) return { status: status!, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: message ?? `${status} upstream error` };
      return rpcError(status ?? 200, ids, batch, { code, message: message ?? 'internal error' });
    }
    if (this.decide(this.controller.find('malformed', name), calls)) {
      // Valid up to the point where the body was cut, like a proxy that dropped the tail.
      return { status: 200, headers: JSON_HEADERS, body: `{"jsonrpc":"2.0","id":${JSON.stringify(ids[0] ?? null)},"result":"0x` };
    }
    return undefined;
  }

  /** Sends admitted calls to anvil: untouched in one request unless a per-call fault is active. */
  private async forward(provider: Provider, calls: Call[], batch: boolean, body: string): Promise<Reply> {
    const name = provider.name;
    const perCall = this.controller.find('stale-head', name) || this.controller.find('nonce-too-low', name) || this.controller.find('dropped-transactions', name);
    try {
      if (!perCall) {
        const answer = await this.upstream.post(body);
        return { status: answer.status, headers: JSON_HEADERS, body: answer.body };
      }
      const answers = await Promise.all(calls.map((call) => this.callWithFaults(name, call)));
      return { status: 200, headers: JSON_HEADERS, body: batch ? `[${answers.join(',')}]` : answers[0]! };
    } catch (error) {
      return { status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `bad gateway: ${(error as Error).message}` };
    }
  }

  /** One call under the per-call faults (nonce too low, dropped transaction, stale head); resolves to its JSON answer. */
  private async callWithFaults(name: string, call: Call): Promise<string> {
    const result = (value: unknown) => `{"jsonrpc":"2.0","id":${JSON.stringify(call.id)},"result":${JSON.stringify(value)}}`;
    if (call.method === 'eth_sendRawTransaction') {
      const nonce = this.decide(this.controller.find('nonce-too-low', name), [call]);
      if (nonce) return `{"jsonrpc":"2.0","id":${JSON.stringify(call.id)},"error":{"code":-32000,"message":"nonce too low"}}`;
      const dropped = this.decide(this.controller.find('dropped-transactions', name), [call]);
      const raw = call.raw?.params?.[0];
      if (dropped && typeof raw === 'string' && raw.startsWith('0x')) return result(keccak256(raw as `0x${string}`));
    }
    const stale = this.controller.find<StaleHeadParams>('stale-head', name);
    if (stale && (call.method === 'eth_blockNumber' || hasLatestTag(call.raw))) {
      const head = BigInt(await this.upstream.call<string>('eth_blockNumber'));
      const lagged = head > BigInt(stale.params.blocks) ? head - BigInt(stale.params.blocks) : 0n;
      this.controller.hit(stale);
      if (call.method === 'eth_blockNumber') return result(`0x${lagged.toString(16)}`);
      return (await this.upstream.post(JSON.stringify(replaceLatest(call.raw, `0x${lagged.toString(16)}`)))).body;
    }
    return (await this.upstream.post(JSON.stringify(call.raw))).body;
  }

  /** The fault if it applies to these calls and its `rate` draw says so (counted as a hit). */
  private decide<P extends { rate?: number; methods?: string[] }>(fault: ActiveFault<P> | undefined, calls: Call[]): ActiveFault<P> | undefined {
    if (!fault || !matches(fault, calls)) return undefined;
    // One stream per (fault type, provider): decisions for one provider do not shift another's.
    if (!this.controller.stream(`${fault.type}:${fault.target ?? '*'}`).chance(fault.params.rate ?? 1)) return undefined;
    this.controller.hit(fault);
    return fault;
  }

  private keyState(provider: Provider, key: string): KeyState {
    let state = provider.keys.get(key);
    if (!state) {
      const { perSecond, windowSeconds, dailyCredits } = provider.options;
      state = { bucket: new TokenBucket(perSecond, windowSeconds), credits: dailyCredits ? new DailyCredits(dailyCredits) : undefined, second: 0, count: 0 };
      provider.keys.set(key, state);
    }
    return state;
  }

  private faultBucket(fault: ActiveFault, key: string, perSecond: number): TokenBucket {
    const id = `${fault.id}:${key}`;
    let bucket = this.faultBuckets.get(id);
    if (!bucket) this.faultBuckets.set(id, (bucket = new TokenBucket(perSecond, 1)));
    return bucket;
  }

  /** Resets faults, stats, limits and random streams: the gateway answers as if just started. */
  reset(): void {
    this.controller.reset();
    this.faultBuckets.clear();
    for (const provider of this.providers.values()) provider.keys.clear();
  }

  close(): void {
    this.upstream.close();
  }
}

/** The calls of a JSON-RPC body (single or batch); undefined if it is not JSON. */
export function parseRequest(body: string): { calls: Call[]; batch: boolean } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const batch = Array.isArray(parsed);
  const calls = (batch ? (parsed as unknown[]) : [parsed]).map((raw: any) => ({
    id: raw?.id ?? null,
    method: typeof raw?.method === 'string' ? raw.method : '',
    raw,
  }));
  return { calls, batch };
}

function matches(fault: ActiveFault<{ methods?: string[] }>, calls: Call[]): boolean {
  const methods = fault.params.methods;
  return !methods || calls.some((c) => methods.includes(c.method));
}

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
