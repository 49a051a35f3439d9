import { setTimeout as sleep } from 'node:timers/promises';
import { type AppliedFault, FaultController } from '../control/faults.ts';
import { creditsExhausted, type GatewayAnswer, HANG, type Reply, type RpcId, rateLimited, rpcError, unauthorized } from './answers.ts';
import type { RpcFault, RpcRequest } from './faults/_fault.ts';
import rpcFaults from './faults/index.ts';
import { costOf, type ProviderOptions, rpcOptionsSchema } from './providers.ts';
import { DailyCredits, TokenBucket } from './token-bucket.ts';
import { Upstream } from './upstream.ts';

export { type GatewayAnswer, HANG } from './answers.ts';

export interface RpcGatewayOptions {
  /** Every random fault decision derives from it: same seed + same requests = same answers. */
  seed: number;
  /** Anvil's direct HTTP URL. */
  anvilUrl: string;
  /** Simulated providers by name (the first path segment); defaults: infura, alchemy, public. */
  providers?: Record<string, Partial<ProviderOptions> & Pick<ProviderOptions, 'style' | 'perSecond'>>;
}

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
 * that provider's exact shape, plus the faults of mocks/rpc/faults/ (one file each; the
 * order their hooks are asked in is in faults/_fault.ts). HTTP handlers (handlers.ts) and
 * the WebSocket bridge (websocket.ts) both call `handle`.
 */
export class RpcGateway {
  readonly controller: FaultController<RpcFault>;
  readonly providers = new Map<string, Provider>();
  readonly upstream: Upstream;

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
    const keys = provider.options.keys;
    if (keys.length > 0 && (key === undefined || !keys.includes(key))) return unauthorized(provider.options.style, calls.map((c) => c.id), batch);
    // After the key check: a refused key takes no part in any fault's draws, as before faults were sampled here.
    const faults = this.controller.sample(providerName, calls);
    const refused = await this.admit(provider, key, calls, batch, faults);
    if (refused) return refused;
    return this.forward(calls, batch, body, faults);
  }

  /**
   * Stats, the faults that delay or refuse, the provider's limits, then the faults that
   * answer in anvil's place. Resolves to that answer, or undefined when the calls may go on
   * to anvil (charged to the key's limits). The key must have been checked (handle does it;
   * the WebSocket bridge refuses a bad key at the handshake). `faults` are the request's
   * (FaultController.sample); without faults applied none of the fault steps runs.
   */
  async admit(provider: Provider, key: string | undefined, calls: Call[], batch: boolean, faults = this.controller.sample(provider.name, calls)): Promise<GatewayAnswer | undefined> {
    const answer = await this.decide(provider, key, calls, batch, faults);
    // Counted for the run's probes: what this provider refused, by status (a hang counts as "hang").
    if (answer !== undefined && (answer === HANG || answer.status >= 400)) this.controller.countRefusal({ provider: provider.name, status: answer === HANG ? 'hang' : String(answer.status) });
    return answer;
  }

  private async decide(provider: Provider, key: string | undefined, calls: Call[], batch: boolean, faults: readonly AppliedFault<RpcFault>[]): Promise<GatewayAnswer | undefined> {
    const { name, options } = provider;
    const ids = calls.map((c) => c.id);
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

    let request: RpcRequest | undefined;
    if (faults.length > 0) {
      request = { provider: options, key: key ?? '', calls, batch, ids, cost, now, currentRps: state.count };
      const delayMs = this.controller.consult(faults, 'delay', request);
      if (delayMs !== undefined) await sleep(delayMs);
      const refused = this.controller.consult(faults, 'refuse', request);
      if (refused !== undefined) return refused;
    }

    const taken = state.bucket.take(cost, now);
    if (!taken.ok) {
      return rateLimited(options.style, ids, batch, { retryAfterMs: taken.retryAfterMs, legacy: options.legacyErrors, allowedRps: options.perSecond, currentRps: state.count });
    }
    if (state.credits && !state.credits.take(cost, now)) return creditsExhausted(options.style, ids, batch);
    return request && this.controller.consult(faults, 'answer', request);
  }

  /** Sends admitted calls to anvil: untouched in one request unless a fault of the request rewrites calls. */
  private async forward(calls: Call[], batch: boolean, body: string, faults: readonly AppliedFault<RpcFault>[]): Promise<Reply> {
    try {
      if (!this.controller.hasHook(faults, 'call')) {
        const answer = await this.upstream.post(body);
        return { status: answer.status, headers: JSON_HEADERS, body: answer.body };
      }
      const answers = await Promise.all(calls.map((call) => this.callWithFaults(call, faults)));
      return { status: 200, headers: JSON_HEADERS, body: batch ? `[${answers.join(',')}]` : answers[0]! };
    } catch (error) {
      return { status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `bad gateway: ${(error as Error).message}` };
    }
  }

  /** One call under the request's per-call faults (nonce too low, dropped transaction, stale head); resolves to its JSON answer. */
  private async callWithFaults(call: Call, faults: readonly AppliedFault<RpcFault>[]): Promise<string> {
    const rewritten = this.controller.consult(faults, 'call', { call, upstream: this.upstream }, call.method);
    return rewritten ?? (await this.upstream.post(JSON.stringify(call.raw))).body;
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

  /** Resets faults (and their state), stats, limits and random streams: the gateway answers as if just started. */
  reset(): void {
    this.controller.reset();
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
