import type { ProviderStyle } from './providers.ts';

/** One HTTP answer of the gateway. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type RpcId = string | number | null;

/** Answered instead of a reply by a "hang" fault: answer nothing until the client gives up. */
export const HANG = Symbol('hang');
export type GatewayAnswer = Reply | typeof HANG;

/** One call's JSON-RPC result, as one element of a (batch) answer. */
export function rpcResult(id: RpcId, value: unknown): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(value)}}`;
}

export interface JsonRpcError {
  code: number;
  message: string;
  [extra: string]: unknown;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A JSON-RPC error for every call of the request: an object for a single call, an array for a batch. */
export function rpcError(status: number, ids: RpcId[], batch: boolean, error: JsonRpcError, headers: Record<string, string> = {}): Reply {
  const one = (id: RpcId) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`;
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: batch ? `[${ids.map(one).join(',')}]` : one(ids[0] ?? null) };
}

/** A wrong or missing API key, answered the way the provider does. */
export function unauthorized(style: ProviderStyle, ids: RpcId[], batch: boolean): Reply {
  if (style === 'infura') {
    // Infura answers a bad project id before reading the JSON-RPC body: plain text.
    return {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="Auth failure, invalid project id"' },
      body: 'invalid project id\n',
    };
  }
  return rpcError(401, ids, batch, { code: -32600, message: 'Must be authenticated!' });
}

export interface ThrottleDetails {
  retryAfterMs: number;
  /** Infura's legacy -32005 answer instead of 429/-33200. */
  legacy: boolean;
  allowedRps: number;
  currentRps: number;
  /** Send Retry-After even where the provider does not (Infura), because a fault asked for it. */
  retryAfterHeader?: boolean;
}

/** Over the throughput limit, in the provider's exact shape. */
export function rateLimited(style: ProviderStyle, ids: RpcId[], batch: boolean, details: ThrottleDetails): Reply {
  const retryAfterSeconds = Math.max(1, Math.ceil(details.retryAfterMs / 1000));
  const retryAfter = { 'retry-after': String(retryAfterSeconds) };
  switch (style) {
    case 'infura': {
      const headers = details.retryAfterHeader ? retryAfter : {};
      if (details.legacy) {
        return rpcError(429, ids, batch, {
          code: -32005,
          message: 'project ID request rate exceeded',
          data: {
            see: 'https://infura.io/docs/ethereum/jsonrpc/ratelimits',
            current_rps: round3(details.currentRps),
            allowed_rps: round3(details.allowedRps),
            backoff_seconds: retryAfterSeconds,
          },
        }, headers);
      }
      return rpcError(429, ids, batch, {
        code: 429,
        event: -33200,
        message: 'Too Many Requests',
        details: 'You have surpassed your allowed throughput limit. Reduce the amount of requests per second or upgrade for more capacity.',
      }, headers);
    }
    case 'alchemy':
      return rpcError(429, ids, batch, ALCHEMY_THROTTLED, retryAfter);
    case 'public':
      return rpcError(429, ids, batch, { code: -32005, message: 'rate limit exceeded' }, retryAfter);
  }
}

/** Alchemy's throttling error; over WebSocket it is the whole answer (no HTTP status there). */
export const ALCHEMY_THROTTLED: JsonRpcError = {
  code: 429,
  message:
    'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput',
};

/** The daily (Alchemy: monthly) credits of the key are used up: HTTP 402. */
export function creditsExhausted(style: ProviderStyle, ids: RpcId[], batch: boolean): Reply {
  switch (style) {
    case 'infura':
      return rpcError(402, ids, batch, {
        code: 402,
        event: -33000,
        message: 'Payment Required',
        details: 'You have reached your daily credit limit. To continue making requests, upgrade your plan or purchase additional credits',
      });
    case 'alchemy':
      return rpcError(402, ids, batch, {
        code: 429,
        message: 'Monthly capacity limit exceeded. Visit https://dashboard.alchemy.com/settings/billing to upgrade your scaling policy for continued service.',
      });
    case 'public':
      return rpcError(402, ids, batch, { code: -32005, message: 'daily request limit reached' });
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
