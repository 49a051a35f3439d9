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
 * The RPC transport. With rpc-fallback: both providers in a viem `fallback`, each retried
 * once with exponential backoff (viem waits for Retry-After when a 429 carries one) and a
 * short timeout, so one provider's outage costs a few hundred milliseconds, not the request.
 * Without it: one provider with viem's defaults, which is what most apps ship.
 */
export function rpcTransport(options: { primary: string; secondary?: string; fallback: boolean; observe: RpcObserver }): Transport {
  const { primary, secondary, observe } = options;
  const one = (url: string, retry: { retryCount?: number; retryDelay?: number; timeout?: number } = {}) =>
    http(url, { fetchFn: observedFetch(providerName(url), observe), ...retry });
  if (!options.fallback || !secondary) return one(primary);
  const tuned = { retryCount: 1, retryDelay: 150, timeout: 3_000 };
  return fallback([one(primary, tuned), one(secondary, tuned)], { retryCount: 1, retryDelay: 150 });
}
