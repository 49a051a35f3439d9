import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Mitigations, parseMitigations } from './mitigations.ts';

/** Everything the app reads from its environment. */
export interface AppConfig {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  rpcUrl: string;
  rpcFallbackUrl?: string;
  /**
   * Where GET /api/invariants reads the chain: the chain itself (anvil's direct URL) when
   * given. Through the provider keys the checks queue behind their rate limits (50 calls/s
   * at Infura's), seconds after every run on an environment that has served many claims.
   */
  chainCheckUrl?: string;
  farcasterHubUrl?: string;
  llmUrl?: string;
  llmModel: string;
  /** llm-breaker deadlines: for the first token, and between chunks after it. */
  llmTimeouts: { firstTokenMs: number; idleMs: number };
  jwtSecret: string;
  /** Index of the anvil dev account that pays gifts (account 0 is left to scripts and tests). */
  treasuryAccountIndex: number;
  mnemonic: string;
  mitigations: Mitigations;
  /** Gifts created at first start. */
  seedGifts: number;
  logLevel: string;
  realtime: RealtimeConfig;
}

/** Socket.IO and the live-event publisher. */
export interface RealtimeConfig {
  /** Socket.IO's heartbeat: a ping every `pingIntervalMs`; a client silent `pingTimeoutMs` longer is gone. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** The Redis the Socket.IO adapter's pub/sub uses (its own proxy, so its path can be cut alone); default REDIS_URL. */
  adapterRedisUrl: string;
  /** This instance publishes EVENT_UPDATED (one publisher per deployment; PUBLISHER=off on the others). */
  publisher: boolean;
  /** Events per second per streamer. */
  publishHz: number;
  /** Streamers whose live event is published, rooms `streamer:<id>`. */
  streamers: string[];
  /** How long GET /api/events/live serves a cached event. */
  liveCacheTtlMs: number;
}

export class ConfigMissingError extends Error {
  constructor(variable: string) {
    super(`${variable} is not set. Run \`npm run env:up\` (it writes .env.faultline, which the app loads) or export ${variable} yourself.`);
    this.name = 'ConfigMissingError';
  }
}

export class HostNotLoopbackError extends Error {
  constructor(host: string) {
    super(`HOST=${host}: the reference app only listens on loopback (127.0.0.1, ::1 or localhost), since it trusts a development JWT secret. Unset HOST or set it to 127.0.0.1.`);
    this.name = 'HostNotLoopbackError';
  }
}
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Only for local development: a real deployment sets AUTH_JWT_SECRET. */
export const DEV_JWT_SECRET = 'faultline-dev-secret-do-not-use-in-production';

/** Reads the config from `env` (process.env by default). */
export function readConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new ConfigMissingError(name);
    return value;
  };
  // HOST is often exported for other tools (0.0.0.0 in containers): refuse it rather than listen beyond this machine.
  const host = env.HOST || '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new HostNotLoopbackError(host);
  return {
    host,
    port: Number(env.PORT ?? 3000),
    databaseUrl: required('DATABASE_URL'),
    redisUrl: required('REDIS_URL'),
    rpcUrl: env.RPC_URL ?? required('ANVIL_URL'),
    rpcFallbackUrl: env.RPC_FALLBACK_URL || undefined,
    chainCheckUrl: env.ANVIL_DIRECT_URL || undefined,
    farcasterHubUrl: env.FARCASTER_HUB_URL || undefined,
    llmUrl: env.LLM_URL || undefined,
    llmModel: env.LLM_MODEL ?? 'gpt-4o-mini',
    llmTimeouts: { firstTokenMs: Number(env.LLM_FIRST_TOKEN_TIMEOUT_MS ?? 5_000), idleMs: Number(env.LLM_IDLE_TIMEOUT_MS ?? 3_000) },
    jwtSecret: env.AUTH_JWT_SECRET || DEV_JWT_SECRET,
    treasuryAccountIndex: Number(env.APP_TREASURY_ACCOUNT_INDEX ?? 1),
    mnemonic: env.ANVIL_MNEMONIC ?? 'test test test test test test test test test test test junk',
    mitigations: parseMitigations(env.FAULTLINE_MITIGATIONS),
    seedGifts: Number(env.APP_SEED_GIFTS ?? 100),
    logLevel: env.LOG_LEVEL ?? 'warn',
    realtime: {
      pingIntervalMs: Number(env.PING_INTERVAL ?? 25_000),
      pingTimeoutMs: Number(env.PING_TIMEOUT ?? 20_000),
      adapterRedisUrl: env.REDIS_ADAPTER_URL || required('REDIS_URL'),
      publisher: env.PUBLISHER !== 'off',
      publishHz: Number(env.PUBLISH_HZ ?? 2),
      streamers: (env.PUBLISH_STREAMERS ?? '1').split(',').map((s) => s.trim()).filter(Boolean),
      liveCacheTtlMs: Number(env.LIVE_CACHE_TTL_MS ?? 250),
    },
  };
}

/**
 * Loads `.env.faultline` (from the working directory or the nearest parent that has one)
 * into process.env without overriding variables already set.
 */
export function loadDotenv(file = findUp('.env.faultline')): string | undefined {
  if (!file || !existsSync(file)) return undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (match && process.env[match[1]!] === undefined) process.env[match[1]!] = match[2]!;
  }
  return file;
}

function findUp(name: string, from = process.cwd()): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return undefined;
  }
}
