import { resolve } from 'node:path';

/** The secret the app verifies JWTs with and k6 scripts sign with (scenarios/support/app.js): a development value. */
export const REFERENCE_APP_JWT_SECRET = 'faultline-dev-secret';

/** The app's mitigations, each with what it protects; FAULTLINE_MITIGATIONS switches them (src/mitigations.ts). */
export const REFERENCE_APP_MITIGATIONS = {
  'rpc-fallback': 'a throttled or failing RPC provider fails over to the fallback provider',
  idempotency: 'a retried claim with the same Idempotency-Key is paid once (a retried vote counted once)',
  'cache-fallback': 'Redis commands time out after 250 ms and reads fall back to Postgres',
  'llm-breaker': 'a circuit breaker with first-token and idle deadlines in front of the LLM',
  'rate-limit': 'per-user rate limits on claims and chat',
  'socket-recovery': 'a client that reconnects gets the room events it missed, replayed from a Redis stream',
  'admission-control': 'POST /api/designs/:id/render answers 429 with Retry-After when more than RENDER_QUEUE_LIMIT jobs wait',
  'nonce-single-use': 'an embed nonce is taken with one atomic GETDEL and refused when the nonce store does not answer: never used twice',
  'webhook-dedup': 'payment webhooks: signature checked, each event id taken once, invoice state moves open → paid only',
  'auth-cache-fallback': 'the session/config cache gets 50 ms: while Redis is down or slow the JWT is verified locally and config read from an in-process copy or Postgres',
};

export interface ReferenceAppOptions {
  /** FAULTLINE_MITIGATIONS: all (default), none, or e.g. "-rpc-fallback". */
  mitigations?: string;
  /** The simulated third parties it uses, each of which must be enabled too; without rpc it reaches anvil directly. */
  uses?: Array<'rpc' | 'llm' | 'farcaster' | 'payments'>;
  jwtSecret?: string;
  /** Gifts seeded at first start. */
  seedGifts?: number;
  /** Publishes the streamers' live events (EVENT_UPDATED); one instance of a deployment does (default true). */
  publisher?: boolean;
  /** More of its variables, e.g. `{ PING_INTERVAL: '1000', PUBLISH_HZ: '2' }`. */
  env?: Record<string, string>;
}

/**
 * The bundled reference app as a service entry of faultline.config.ts: declared exactly
 * as a team declares its own app (a command, a port variable, a health path, its
 * dependencies and its mitigations), so nothing in Faultline knows it.
 * @example services: { postgres: true, redis: true, anvil: true, rpc: true, app: referenceApp({ uses: ['rpc'] }) }
 * @example a second instance behind the same Redis adapter: app2: referenceApp({ publisher: false })
 */
export function referenceApp(options: ReferenceAppOptions = {}) {
  return {
    command: [process.execPath, 'scripts/start.mjs'],
    cwd: resolve(import.meta.dirname),
    port: { env: 'PORT' },
    health: '/api/health',
    // What it uses as it starts must be ready: migrations (postgres), its cache and adapter (redis), the
    // treasury and the token deployment (anvil, through rpc). The other third parties it calls only while
    // serving: their URLs are enough, so it starts while they do (payments' webhook registration retries).
    dependsOn: [
      'postgres',
      'redis',
      'anvil',
      ...(options.uses ?? []).map((service) => (service === 'rpc' ? service : { service, condition: 'started' as const })),
    ],
    env: {
      HOST: '127.0.0.1',
      AUTH_JWT_SECRET: options.jwtSecret ?? REFERENCE_APP_JWT_SECRET,
      APP_SEED_GIFTS: String(options.seedGifts ?? 100),
      NODE_ENV: 'production',
      // Everything it needs is in its environment: a developer's .env.faultline must not fill the gaps.
      APP_DOTENV: 'off',
      ...(options.publisher === false ? { PUBLISHER: 'off' } : {}),
      ...options.env,
    },
    // Migrations, the token deployment and the seed run before it listens.
    readyTimeout: '60s',
    mitigations: { env: 'FAULTLINE_MITIGATIONS', value: options.mitigations ?? 'all', names: REFERENCE_APP_MITIGATIONS },
  };
}
