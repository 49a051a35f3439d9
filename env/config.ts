import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigInvalidError } from '../lib/errors.ts';
import { loadFile } from '../lib/load-module.ts';
import { formatIssue, portSchema } from '../lib/schema.ts';
import { commandOptionsSchema, commandService, isCommandEntry } from './command.ts';
import { isTcpEntry, tcpEntrySchema, tcpService } from './external.ts';
import { dependencies, type ServiceDefinition } from './service.ts';
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
  /** Where `faultline chaos <name>` finds `<name>/scenario.ts`. Default `faultline/scenarios`. */
  scenariosDir?: string;
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
   * Omit the whole field for the default set. An entry with a `command` is your own
   * app, under any name (see env/command.ts).
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
  scenariosDir: string;
  runtime: RuntimeSetting;
  containers: { images: Record<string, string> };
  toxiproxy: { port?: number };
  /** Enabled services only, with parsed options, in the config's order. */
  services: Record<string, any>;
  /** The definition of each enabled service: a built-in one, or your app's. */
  definitions: Record<string, ServiceDefinition>;
}

/**
 * Typed helper for faultline.config.ts.
 * @example export default defineConfig({ services: { postgres: {}, redis: true, shop: { command: 'node server.js', health: '/health' } } })
 */
export function defineConfig(config: FaultlineConfig): FaultlineConfig {
  return config;
}

export type RuntimeSetting = 'local' | 'containers' | 'auto';
export const RUNTIME_SETTINGS: RuntimeSetting[] = ['local', 'containers', 'auto'];

export const DEFAULT_SERVICES = ['postgres', 'redis', 'anvil', 'rpc', 'farcaster', 'llm'];
export const CONFIG_FILE = 'faultline.config.ts';

const topLevel = z.strictObject({
  seed: z.number().int().min(0).optional(),
  home: z.string().min(1).default('.faultline'),
  stateDir: z.string().min(1).optional(),
  dotenvFile: z.string().min(1).default('.env.faultline'),
  scenariosDir: z.string().min(1).default('faultline/scenarios'),
  runtime: z.enum(RUNTIME_SETTINGS).default('local'),
  containers: z.strictObject({ images: z.record(z.string(), z.string().min(1)).default({}) }).default({ images: {} }),
  toxiproxy: z.strictObject({ port: portSchema.optional() }).default({}),
  services: z
    .record(z.string(), z.custom<boolean | Record<string, unknown>>((v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v)), 'expected true, false or an object of options'))
    .optional(),
});

/** Known service names, defaults first, for messages. */
const knownNames = () => [...new Set([...DEFAULT_SERVICES, ...Object.keys(knownServices)])].join(', ');

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
  const definitions: Record<string, ServiceDefinition> = {};
  const entries = requested ? Object.entries(requested) : DEFAULT_SERVICES.map((name) => [name, true] as const);
  for (const [name, value] of entries) {
    if (value === false) continue;
    const builtin = knownServices[name];
    const declared = builtin ? undefined : isCommandEntry(value) ? 'command' : isTcpEntry(value) ? 'tcp' : undefined;
    if (!builtin && !declared) {
      problems.push(
        `services.${name}: unknown service "${name}"; known services are: ${knownNames()} (or declare your own app with a \`command\`, or any TCP dependency with \`tcp: "host:port"\`)`,
      );
      continue;
    }
    const schema = builtin ? builtin.options : declared === 'command' ? commandOptionsSchema : tcpEntrySchema;
    const parsed = schema.safeParse(value === true ? {} : value);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((i) => formatIssue(i, ['services', name])));
      continue;
    }
    services[name] = parsed.data;
    definitions[name] = builtin ?? (declared === 'command' ? commandService(name, parsed.data as never) : tcpService(name, parsed.data as never));
  }
  problems.push(...dependencyProblems(services, definitions));
  for (const name of Object.keys(rest.containers.images)) {
    if (name !== 'toxiproxy' && !knownServices[name]) problems.push(`containers.images.${name}: unknown service "${name}"; known are: toxiproxy, ${knownNames()}`);
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
    scenariosDir: resolve(rootDir, rest.scenariosDir),
    runtime: rest.runtime,
    containers: rest.containers,
    toxiproxy: rest.toxiproxy,
    services,
    definitions,
  };
}

/**
 * Every `dependsOn` names an enabled service, and no service depends on itself through
 * others: whatever the condition, as a `started` one also waits for the launch.
 */
function dependencyProblems(services: Record<string, unknown>, definitions: Record<string, ServiceDefinition>): string[] {
  const problems: string[] = [];
  const dependsOn = (name: string) => dependencies(definitions[name]!, services[name]).map((d) => d.service);
  for (const name of Object.keys(services)) {
    const twice = dependsOn(name).filter((d, i, all) => all.indexOf(d) !== i);
    for (const dependency of new Set(twice)) {
      problems.push(`services.${name}.dependsOn: "${dependency}" is listed more than once; keep one entry ("${dependency}" waits until it is ready, { service: "${dependency}", condition: "started" } only until it is launched)`);
    }
    for (const dependency of dependsOn(name)) {
      if (!(dependency in services)) {
        const known = knownServices[dependency] || dependency === name ? '' : ` (no such service; enabled are: ${Object.keys(services).join(', ')})`;
        problems.push(`services.${name}${definitions[name]!.app ? '.dependsOn' : ''}: needs service "${dependency}", which is not enabled${known}`);
      }
    }
  }
  // A cycle would make the start wait forever: find one by depth-first search.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'done' || !(name in services)) return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    for (const dependency of dependsOn(name)) {
      const cycle = visit(dependency, [...path, name]);
      if (cycle) return cycle;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const cycle = visit(name, []);
    if (cycle) {
      problems.push(`services.${cycle[0]}.dependsOn: a cycle (${cycle.join(' → ')}); nothing in it could start first`);
      break;
    }
  }
  return problems;
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
  const module = await loadFile(file);
  if (module.default === undefined) throw new ConfigInvalidError(file, ['(root): expected a default export, e.g. `export default defineConfig({...})`']);
  const kind = describeValue(module.default);
  if (kind) throw new ConfigInvalidError(file, [`(root): expected an object (defineConfig({ ... })), got ${kind}`]);
  return withRuntimeOverride(resolveConfig(module.default, file, dirname(file)));
}

/** What a default export is when it is not a plain object ("null", "a Promise", "a string"), or undefined when it is one. */
export function describeValue(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (value instanceof Promise || (typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function')) return 'a Promise (export the object itself, or await it before exporting)';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  return undefined;
}

function withRuntimeOverride(config: ResolvedConfig): ResolvedConfig {
  const override = process.env.FAULTLINE_RUNTIME;
  if (!override) return config;
  if (!RUNTIME_SETTINGS.includes(override as RuntimeSetting)) {
    throw new ConfigInvalidError('FAULTLINE_RUNTIME (or --runtime)', [`runtime: expected one of ${RUNTIME_SETTINGS.join(', ')}, got "${override}"`]);
  }
  return { ...config, runtime: override as RuntimeSetting };
}
