import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigInvalidError } from './errors.ts';
import { services as knownServices } from './services/index.ts';

/** The shape of faultline.config.ts, as a user writes it. */
export interface FaultlineConfig {
  /** Seed for every random choice; recorded in env.json. Random when omitted. */
  seed?: number;
  /** Where tools (bin/) and caches (cache/) live. Default `.faultline`. */
  home?: string;
  /** Where env.json, logs and service data live. Default: `home`. */
  stateDir?: string;
  /** The dotenv file written for apps. Default `.env.faultline`. */
  dotenvFile?: string;
  /**
   * How services run: `local` processes (default), `containers` (Docker, through
   * testcontainers), or `auto` (containers when a Docker engine answers, else local).
   */
  runtime?: RuntimeSetting;
  /** Containers runtime: image per service (and `toxiproxy`); `FAULTLINE_<NAME>_IMAGE` env vars override these. */
  containers?: { images?: Record<string, string> };
  toxiproxy?: { port?: number };
  /**
   * Services to start, by name, with their options; `false` or absent leaves one out.
   * Omit the whole field for the default set.
   */
  services?: Record<string, Record<string, unknown> | boolean>;
}

/** A validated config with every default filled in and every path absolute. */
export interface ResolvedConfig {
  file: string;
  rootDir: string;
  seed?: number;
  home: string;
  stateDir: string;
  dotenvFile: string;
  runtime: RuntimeSetting;
  containers: { images: Record<string, string> };
  toxiproxy: { port?: number };
  /** Enabled services only, with parsed options, in start order of the config. */
  services: Record<string, any>;
}

/**
 * Typed helper for faultline.config.ts.
 * @example export default defineConfig({ services: { postgres: {}, redis: true, anvil: { blockTime: 1 } } })
 */
export function defineConfig(config: FaultlineConfig): FaultlineConfig {
  return config;
}

export type RuntimeSetting = 'local' | 'containers' | 'auto';
export const RUNTIME_SETTINGS: RuntimeSetting[] = ['local', 'containers', 'auto'];

export const DEFAULT_SERVICES = ['postgres', 'redis', 'anvil', 'rpc', 'farcaster', 'llm'];
export const CONFIG_FILE = 'faultline.config.ts';

const portSchema = z.number().int().min(0).max(65535);
const topLevel = z.strictObject({
  seed: z.number().int().min(0).optional(),
  home: z.string().min(1).default('.faultline'),
  stateDir: z.string().min(1).optional(),
  dotenvFile: z.string().min(1).default('.env.faultline'),
  runtime: z.enum(RUNTIME_SETTINGS).default('local'),
  containers: z.strictObject({ images: z.record(z.string(), z.string().min(1)).default({}) }).default({ images: {} }),
  toxiproxy: z.strictObject({ port: portSchema.optional() }).default({}),
  services: z.record(z.string(), z.union([z.boolean(), z.record(z.string(), z.unknown())])).optional(),
});

/**
 * Validates a config and fills in defaults. `file` names the source in error messages;
 * relative paths resolve against `rootDir`.
 */
export function resolveConfig(input: unknown, file = '(inline config)', rootDir = process.cwd()): ResolvedConfig {
  const top = topLevel.safeParse(input ?? {});
  if (!top.success) throw new ConfigInvalidError(file, top.error.issues.map((i) => formatIssue(i, [])));
  const { services: requested, ...rest } = top.data;

  const problems: string[] = [];
  const services: Record<string, unknown> = {};
  const entries = requested ? Object.entries(requested) : DEFAULT_SERVICES.map((name) => [name, true] as const);
  for (const [name, value] of entries) {
    const definition = knownServices[name];
    if (!definition) {
      problems.push(`services.${name}: unknown service "${name}"; known services are: ${Object.keys(knownServices).join(', ')}`);
      continue;
    }
    if (value === false) continue;
    const parsed = definition.options.safeParse(value === true ? {} : value);
    if (parsed.success) services[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => formatIssue(i, ['services', name])));
  }
  for (const [name, options] of Object.entries(services)) {
    for (const dependency of knownServices[name]!.dependsOn?.(options) ?? []) {
      if (!(dependency in services)) problems.push(`services.${name}: needs service "${dependency}", which is not enabled`);
    }
  }
  for (const name of Object.keys(rest.containers.images)) {
    if (name !== 'toxiproxy' && !knownServices[name]) problems.push(`containers.images.${name}: unknown service "${name}"; known are: toxiproxy, ${Object.keys(knownServices).join(', ')}`);
  }
  if (problems.length > 0) throw new ConfigInvalidError(file, problems);

  const home = resolve(rootDir, rest.home);
  return {
    file,
    rootDir,
    seed: rest.seed,
    home,
    stateDir: rest.stateDir ? resolve(rootDir, rest.stateDir) : home,
    dotenvFile: resolve(rootDir, rest.dotenvFile),
    runtime: rest.runtime,
    containers: rest.containers,
    toxiproxy: rest.toxiproxy,
    services,
  };
}

/**
 * Loads and validates faultline.config.ts (or `path`). No file means the defaults.
 * `FAULTLINE_RUNTIME` (what the CLI's `--runtime` sets) overrides the file's runtime.
 */
export async function loadConfig(path?: string, cwd = process.cwd()): Promise<ResolvedConfig> {
  const file = resolve(cwd, path ?? CONFIG_FILE);
  if (!existsSync(file)) {
    if (path) throw new ConfigInvalidError(file, ['file not found']);
    return withRuntimeOverride(resolveConfig({}, '(default config)', cwd));
  }
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (module.default === undefined) throw new ConfigInvalidError(file, ['(root): expected a default export, e.g. `export default defineConfig({...})`']);
  return withRuntimeOverride(resolveConfig(module.default, file, dirname(file)));
}

function withRuntimeOverride(config: ResolvedConfig): ResolvedConfig {
  const override = process.env.FAULTLINE_RUNTIME;
  if (!override) return config;
  if (!RUNTIME_SETTINGS.includes(override as RuntimeSetting)) {
    throw new ConfigInvalidError('FAULTLINE_RUNTIME (or --runtime)', [`runtime: expected one of ${RUNTIME_SETTINGS.join(', ')}, got "${override}"`]);
  }
  return { ...config, runtime: override as RuntimeSetting };
}

function formatIssue(issue: z.core.$ZodIssue, prefix: PropertyKey[]): string {
  const path = [...prefix, ...issue.path].map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${path}: ${issue.message}`;
}
