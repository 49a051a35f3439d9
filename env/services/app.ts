import { resolve } from 'node:path';
import { z } from 'zod';
import { defineService } from '../service.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const OPTIONAL_UPSTREAMS = ['rpc', 'llm', 'farcaster'] as const;

const options = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  /** FAULTLINE_MITIGATIONS for the app: all, none, or e.g. "-rpc-fallback". */
  mitigations: z.string().default('all'),
  /** Secret the app verifies JWTs with (a development value by default; not a production secret). */
  jwtSecret: z.string().min(8).default('faultline-dev-secret'),
  /** Simulated third parties the app talks to; each must be enabled too. Without rpc it reaches anvil directly (through anvil's proxy). */
  uses: z.array(z.enum(OPTIONAL_UPSTREAMS)).default([]),
  /** Gifts seeded at first start. */
  seedGifts: z.number().int().min(0).max(10_000).default(100),
});
type Options = z.infer<typeof options>;

/**
 * The reference app (examples/reference-app) as a local process. It gets the *proxied*
 * URLs of its dependencies, so faults applied to their proxies reach it.
 * @example services: { postgres: true, redis: true, anvil: true, rpc: true, app: { uses: ['rpc'], mitigations: '-rpc-fallback' } }
 */
export const app = defineService({
  name: 'app',
  description: 'Reference app (gifts paid on chain, frame claims, LLM chat, chat rooms, Socket.IO)',
  options,
  envVar: 'APP_URL',
  dependsOn: (o: Options) => ['postgres', 'redis', 'anvil', ...o.uses],
  url: (_o: Options, host, port) => `http://${host}:${port}`,

  async prepare(ctx, o, port) {
    const upstream = Object.fromEntries(
      ['DATABASE_URL', 'REDIS_URL', 'ANVIL_URL', 'RPC_URL', 'RPC_FALLBACK_URL', 'FARCASTER_HUB_URL', 'LLM_URL'].filter((k) => ctx.env[k]).map((k) => [k, ctx.env[k]!]),
    );
    return {
      command: process.execPath,
      args: ['--import', 'tsx', resolve(REPO_ROOT, 'examples/reference-app/src/main.ts')],
      cwd: REPO_ROOT,
      env: {
        ...upstream,
        HOST: '127.0.0.1',
        PORT: String(port),
        AUTH_JWT_SECRET: o.jwtSecret,
        FAULTLINE_MITIGATIONS: o.mitigations,
        APP_SEED_GIFTS: String(o.seedGifts),
        NODE_ENV: 'production',
        // Everything it needs is above: a developer's .env.faultline must not fill the gaps.
        APP_DOTENV: 'off',
      },
      // Migrations, the token deployment and the seed run before it listens.
      readyTimeoutMs: 60_000,
    };
  },

  async probe(url) {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`GET /api/health: HTTP ${response.status} ${await response.text()}`);
    const config = (await (await fetch(`${url}/api/config`, { signal: AbortSignal.timeout(2_000) })).json()) as { mitigationsSummary: string };
    return `reference-app (mitigations: ${config.mitigationsSummary})`;
  },
});
