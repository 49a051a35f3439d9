import { providerName } from '../chain/transport.ts';
import type { AppContext } from '../context.ts';
import { describeMitigations } from '../mitigations.ts';
import type { AuthCache } from './cache.ts';

/** The config document is cached this long in Redis: settings change rarely and every page load asks. */
const CONFIG_TTL_SECONDS = 30;
/** With auth-cache-fallback, the in-process copy stands in for Redis while it is at most this old. */
const LOCAL_COPY_MAX_AGE_MS = 5 * 60_000;

/** What anyone may know about this deployment (GET /api/config/public, and part of every config document). */
export function deploymentFacts(ctx: AppContext) {
  const { config, treasury } = ctx;
  return {
    mitigations: config.mitigations,
    mitigationsSummary: describeMitigations(config.mitigations),
    chainId: treasury.chainId,
    treasury: treasury.address,
    token: ctx.token,
    rpcProviders: [config.rpcUrl, config.rpcFallbackUrl].filter(Boolean).map((u) => providerName(u!)),
    llm: Boolean(config.llmUrl),
    farcaster: Boolean(config.farcasterHubUrl),
  };
}

export type ConfigDocument = ReturnType<typeof deploymentFacts> & { tenant: string; features: Record<string, unknown>; limits: Record<string, unknown>; updatedAt: string | null };
export type ConfigSource = 'hit' | 'miss' | 'local';

export const configKey = (tenant: string) => `config:${tenant}`;

/**
 * A tenant's config document (the deployment's facts and the tenant's settings row), cached in
 * Redis for 30 s. With auth-cache-fallback, while Redis is away or slow the last document this
 * instance saw stands in (up to 5 min old), else Postgres; without, a Redis failure is a 503.
 */
export class ConfigDocuments {
  private readonly copies = new Map<string, { document: ConfigDocument; at: number }>();

  constructor(
    private readonly ctx: AppContext,
    private readonly cache: AuthCache,
  ) {}

  async get(tenant: string): Promise<{ document: ConfigDocument; source: ConfigSource }> {
    const key = configKey(tenant);
    const cached = await this.cache.read(key);
    if (cached) {
      this.ctx.metrics.cache.inc({ cache: 'config', result: 'hit' });
      return { document: this.keep(tenant, JSON.parse(cached) as ConfigDocument), source: 'hit' };
    }
    this.ctx.metrics.cache.inc({ cache: 'config', result: cached === undefined ? 'error' : 'miss' });
    const copy = this.copies.get(tenant);
    if (cached === undefined && copy && Date.now() - copy.at < LOCAL_COPY_MAX_AGE_MS) return { document: copy.document, source: 'local' };
    const document = this.keep(tenant, await this.build(tenant));
    await this.cache.write(key, document, CONFIG_TTL_SECONDS, cached !== undefined);
    return { document, source: 'miss' };
  }

  private keep(tenant: string, document: ConfigDocument): ConfigDocument {
    if (this.ctx.config.mitigations['auth-cache-fallback']) this.copies.set(tenant, { document, at: Date.now() });
    return document;
  }

  private async build(tenant: string): Promise<ConfigDocument> {
    const { rows } = await this.ctx.pool.query<{ features: Record<string, unknown>; limits: Record<string, unknown>; updatedAt: string }>(
      `SELECT features, limits, updated_at AS "updatedAt" FROM tenant_settings WHERE tenant = $1`,
      [tenant],
    );
    return { ...deploymentFacts(this.ctx), tenant, features: rows[0]?.features ?? {}, limits: rows[0]?.limits ?? {}, updatedAt: rows[0]?.updatedAt ?? null };
  }
}
