import { fallback, http, type Transport } from 'viem';

export type RpcOutcome = 'ok' | 'rate_limited' | 'http_error' | 'network_error';
export type RpcObserver = (provider: string, outcome: RpcOutcome) => void;

/** A provider's name for metrics: the gateway's path prefix (infura, alchemy, public), else host:port. */
export function providerName(url: string): string {
  const u = new URL(url);
  return u.pathname.split('/').find(Boolean) ?? u.host;
}

/** fetch that reports each RPC call's provider and outcome (viem's hooks do not see network errors). */
function observedFetch(provider: string, observe: RpcObserver): typeof fetch {
  return async (input, init) => {
    try {
      const response = await fetch(input, init);
      observe(provider, response.ok ? 'ok' : response.status === 429 ? 'rate_limited' : 'http_error');
      return response;
    } catch (error) {
      observe(provider, 'network_error');
      throw error;
    }
  };
}

/**
 * The RPC transport. With rpc-fallback: both providers in a viem `fallback`. When the
 * primary refuses a call (429, 5xx, connection refused) the secondary gets it at once:
 * waiting out the primary's Retry-After would cost every call a second while the
 * secondary is healthy. The secondary, now carrying everything, is retried with backoff
 * when its own limits push back (viem honours Retry-After). A short timeout bounds a
 * provider that hangs.
 * Without it: one provider with viem's defaults, which is what most apps ship.
 */
export function rpcTransport(options: { primary: string; secondary?: string; fallback: boolean; observe: RpcObserver }): Transport {
  const { primary, secondary, observe } = options;
  const one = (url: string, retry: { retryCount?: number; retryDelay?: number; timeout?: number } = {}) =>
    http(url, { fetchFn: observedFetch(providerName(url), observe), ...retry });
  if (!options.fallback || !secondary) return one(primary);
  return fallback([one(primary, { retryCount: 0, timeout: 3_000 }), one(secondary, { retryCount: 3, retryDelay: 150, timeout: 3_000 })], { retryCount: 1, retryDelay: 150 });
}
