import { z } from 'zod';
import { ALCHEMY_COMPUTE_UNITS, ALCHEMY_DEFAULT_COMPUTE_UNITS } from './compute-units.ts';

/** How a simulated provider authenticates, counts and refuses: after a real one. */
export const PROVIDER_STYLES = ['infura', 'alchemy', 'public'] as const;
export type ProviderStyle = (typeof PROVIDER_STYLES)[number];

const providerSchema = z.strictObject({
  style: z.enum(PROVIDER_STYLES),
  /** API keys accepted in the path (`/<name>/<key>`); empty = keyless (`/<name>`). */
  keys: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" or "-"')).default([]),
  /** Requests per second (infura, public) or compute units per second (alchemy), per key. */
  perSecond: z.number().positive(),
  /** Burst window: the limit is perSecond × windowSeconds, refilled continuously (Alchemy: 10 s). */
  windowSeconds: z.number().positive().default(1),
  /** Cost per method against perSecond and dailyCredits; defaults: Alchemy's CU table, else 1 per request. */
  costs: z.record(z.string(), z.number().min(0)).optional(),
  defaultCost: z.number().min(0).optional(),
  /** Credits per key per UTC day; exhausted = HTTP 402. */
  dailyCredits: z.number().positive().optional(),
  /** Infura only: answer throttling with the legacy -32005 "project ID request rate exceeded". */
  legacyErrors: z.boolean().default(false),
  /** Env var for this provider's URL; defaults: infura RPC_URL, alchemy RPC_FALLBACK_URL, public RPC_PUBLIC_URL, else RPC_<NAME>_URL. */
  envVar: z.string().regex(/^[A-Z][A-Z0-9_]*_URL$/, 'an env var name ending in _URL').optional(),
});
export type ProviderOptions = z.output<typeof providerSchema>;

export const DEFAULT_PROVIDERS: Record<string, ProviderOptions> = {
  // Infura Core: requests per second per key, credits per day.
  infura: { style: 'infura', keys: ['faultline-infura-key'], perSecond: 50, windowSeconds: 1, dailyCredits: 3_000_000, legacyErrors: false },
  // Alchemy Free: 330 CU/s over a 10 s rolling window.
  alchemy: { style: 'alchemy', keys: ['faultline-alchemy-key'], perSecond: 330, windowSeconds: 10, legacyErrors: false },
  // A keyless public endpoint with a low limit.
  public: { style: 'public', keys: [], perSecond: 10, windowSeconds: 1, legacyErrors: false },
};

/** The `rpc` service's options (faultline.config.ts `services.rpc`). */
export const rpcOptionsSchema = z.strictObject({
  providers: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lowercase name like "infura"'), providerSchema)
    .refine((providers) => Object.keys(providers).length > 0, 'at least one provider')
    .default(DEFAULT_PROVIDERS),
});
export type RpcOptions = z.output<typeof rpcOptionsSchema>;

/** A provider's cost of one call. */
export function costOf(provider: ProviderOptions, method: string): number {
  const table = provider.costs ?? (provider.style === 'alchemy' ? ALCHEMY_COMPUTE_UNITS : undefined);
  return table?.[method] ?? provider.defaultCost ?? (provider.style === 'alchemy' ? ALCHEMY_DEFAULT_COMPUTE_UNITS : 1);
}

const DEFAULT_ENV_VARS: Record<string, string> = { infura: 'RPC_URL', alchemy: 'RPC_FALLBACK_URL', public: 'RPC_PUBLIC_URL' };

/** The env var carrying a provider's URL. */
export function providerEnvVar(name: string, provider: ProviderOptions): string {
  return provider.envVar ?? DEFAULT_ENV_VARS[name] ?? `RPC_${name.toUpperCase().replaceAll('-', '_')}_URL`;
}

/** The URL path of a provider with its first key: `/infura/<key>`, `/public`. */
export function providerPath(name: string, provider: ProviderOptions): string {
  return provider.keys[0] ? `/${name}/${provider.keys[0]}` : `/${name}`;
}
