import { createHash, randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Toxiproxy } from 'toxiproxy-node-client';
import { type FaultlineConfig, type ResolvedConfig, resolveConfig } from './config.ts';
import { FaultlineError, HealthCheckTimeoutError, ServiceCrashedError } from './errors.ts';
import { HOST } from './ports.ts';
import { chooseRuntime, runtimeNamed } from './runtimes/index.ts';
import { sleep } from './runtimes/local.ts';
import type { Runtime, StartedUnit } from './runtimes/runtime.ts';
import type { ServiceContext, ServiceDefinition } from './service.ts';
import { services as definitions } from './services/index.ts';
import { acquireLock, type EnvironmentState, readState, removeState, type ServiceRecord, writeState } from './state.ts';
import { Toolbox } from './tools/toolbox.ts';
import { toxiproxyClient, toxiproxyServer } from './toxiproxy.ts';

/** A service of a running environment. `url` goes through Toxiproxy; `directUrl` does not. */
export interface StartedService {
  name: string;
  version: string;
  url: string;
  directUrl: string;
  port: number;
  proxyPort: number;
  /** The local runtime's process id; 0 under the containers runtime (see containerId). */
  pid: number;
  /** The container's id under the containers runtime. */
  containerId?: string;
}

/** A running environment. Dispose it (`await using env = ...`) or call `stop()`. */
export interface Environment extends AsyncDisposable {
  seed: number;
  stateDir: string;
  /** True when an environment that was already up was attached to; `stop()` then leaves it running. */
  reused: boolean;
  services: Record<string, StartedService>;
  /** The variables written to the dotenv file: `DATABASE_URL`, `DATABASE_DIRECT_URL`, ... */
  env: Record<string, string>;
  toxiproxyUrl: string;
  /** A toxiproxy-node-client; each service's proxy is named after the service. */
  toxiproxy: Toxiproxy;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Progress lines ("postgres ready in 412 ms"). */
  log?: (line: string) => void;
  /** Aborting stops the start-up: nothing new is launched and what was started is stopped again. */
  signal?: AbortSignal;
}

/**
 * Starts every configured service behind its own Toxiproxy proxy, or attaches to the
 * environment already up in the same state directory.
 * @example await using env = await startEnvironment({ services: { redis: true } }); env.services.redis.url
 */
export async function startEnvironment(config: FaultlineConfig | ResolvedConfig = {}, options: StartOptions = {}): Promise<Environment> {
  const resolved = isResolved(config) ? config : resolveConfig(config);
  const log = options.log ?? (() => {});
  prepareStateDir(resolved.stateDir);
  const release = await acquireLock(resolved.stateDir);
  try {
    const existing = readState(resolved.stateDir);
    if (existing) {
      if (existing.status === 'up' && (await allAlive(existing, resolved))) {
        if (existing.configHash !== configHash(resolved)) {
          throw new FaultlineError(
            `An environment with a different config is already up in ${resolved.stateDir}. Run \`npm run env:down\` first, then env:up again.`,
          );
        }
        log(`environment already up (started ${existing.startedAt}); reusing it`);
        return handleFor(existing, resolved, true);
      }
      log('found leftovers of an environment that did not finish starting or has died; cleaning up');
      await teardown(existing, resolved);
    }
    const state = await bringUp(resolved, log, options.signal);
    return handleFor(state, resolved, false);
  } finally {
    release();
  }
}

/** Stops the environment recorded in `stateDir` (from any process), frees its ports and removes its state. */
export async function stopEnvironment(config: FaultlineConfig | ResolvedConfig = {}): Promise<boolean> {
  const resolved = isResolved(config) ? config : resolveConfig(config);
  const release = await acquireLock(resolved.stateDir);
  try {
    const state = readState(resolved.stateDir);
    if (!state) return false;
    await teardown(state, resolved);
    return true;
  } finally {
    release();
  }
}

export interface ServiceHealth {
  name: string;
  pid?: number;
  containerId?: string;
  alive: boolean;
  /** Probe through the proxy: undefined when healthy, else why not. */
  proxyError?: string;
  directError?: string;
  url?: string;
  directUrl?: string;
  version?: string;
}

/** Health of each recorded service right now: is the process alive, does it answer directly and through its proxy. */
export async function environmentStatus(config: FaultlineConfig | ResolvedConfig = {}): Promise<{ state?: EnvironmentState; services: ServiceHealth[] }> {
  const resolved = isResolved(config) ? config : resolveConfig(config);
  const state = readState(resolved.stateDir);
  if (!state) return { services: [] };
  const runtime = await runtimeNamed(state.runtime, resolved);
  const probe = async (definition: ServiceDefinition, options: unknown, url?: string) => {
    if (!url) return 'not started';
    try {
      await definition.probe(url, options);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const rows = await Promise.all(
    [['toxiproxy', state.toxiproxy] as const, ...Object.entries(state.services)].map(async ([name, record]) => {
      const definition = name === 'toxiproxy' ? toxiproxyServer : definitions[name]!;
      const options = resolved.services[name] ?? definition.options.parse({});
      const alive = await runtime.isAlive(record);
      return {
        name,
        pid: record.process?.pid,
        containerId: record.container?.id,
        alive,
        directError: await probe(definition, options, record.directUrl),
        proxyError: name === 'toxiproxy' ? undefined : await probe(definition, options, record.url),
        url: record.url,
        directUrl: record.directUrl,
        version: record.version,
      };
    }),
  );
  return { state, services: rows };
}

function isResolved(config: FaultlineConfig | ResolvedConfig): config is ResolvedConfig {
  return 'rootDir' in config && 'file' in config;
}

function prepareStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true });
  // As root, Postgres runs as the `postgres` user and must be able to reach its data dir.
  if (process.getuid?.() === 0) chmodSync(stateDir, 0o755);
}

function configHash(config: ResolvedConfig): string {
  const { services, toxiproxy, seed, runtime, containers } = config;
  return createHash('sha256').update(JSON.stringify({ services, toxiproxy, seed, runtime, containers })).digest('hex').slice(0, 16);
}

async function allAlive(state: EnvironmentState, config: ResolvedConfig): Promise<boolean> {
  const runtime = await runtimeNamed(state.runtime, config);
  const alive = await Promise.all([state.toxiproxy, ...Object.values(state.services)].map((r) => runtime.isAlive(r)));
  return alive.every(Boolean);
}

/** Starts toxiproxy and every service in parallel (respecting dependsOn), then creates one proxy per service. */
async function bringUp(config: ResolvedConfig, log: (line: string) => void, signal?: AbortSignal): Promise<EnvironmentState> {
  const { stateDir, home } = config;
  rmSync(join(stateDir, 'logs'), { recursive: true, force: true });
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const seed = config.seed ?? randomInt(2 ** 31);
  const runtime = await chooseRuntime(config);
  const state: EnvironmentState = {
    version: 1,
    status: 'starting',
    ownerPid: process.pid,
    startedAt: new Date().toISOString(),
    seed,
    configHash: configHash(config),
    runtime: runtime.name,
    ...runtime.describe?.(),
    toxiproxy: { name: 'toxiproxy', envVar: toxiproxyServer.envVar, dataDir: join(stateDir, 'run', 'toxiproxy') },
    services: {},
  };
  // Written before anything starts and after every launch, so env:down can always clean up after a killed env:up.
  const save = () => writeState(stateDir, state);
  save();

  const tools = new Toolbox(join(home, 'bin'));
  const upstreams: Record<string, string> = {};
  const contextFor = (record: ServiceRecord): ServiceContext => ({
    dataDir: record.dataDir,
    cacheDir: join(home, 'cache'),
    seed,
    tools,
    upstreams,
    // Only services whose proxies exist; computed at launch, when dependsOn ones are up.
    env: Object.fromEntries(
      Object.entries(dotenvVars({ ...state, services: Object.fromEntries(Object.entries(state.services).filter(([, r]) => r.url)) })).filter(([, v]) => v !== undefined),
    ),
    rootDir: config.rootDir,
  });
  const launchAndWait = async (definition: ServiceDefinition, options: any, record: ServiceRecord, proxies?: string[]) => {
    const started = Date.now();
    const unit = await launchUntilReady(runtime, definition, options, record, contextFor(record), stateDir, save, signal, proxies);
    await definition.afterReady?.(contextFor(record), options, record.directUrl!);
    log(`${record.name} ready in ${Date.now() - started} ms`);
    return unit;
  };

  // Every proxy the environment will create, known up front: a containerised Toxiproxy can only listen on ports published at its start.
  const proxies = Object.entries(config.services).flatMap(([name, options]) => [name, ...(definitions[name]!.endpoints?.(options) ?? []).map((e) => e.proxy)]);
  const toxiproxyReady = launchAndWait(toxiproxyServer, config.toxiproxy, state.toxiproxy, proxies).then(() => {
    state.toxiproxy.apiUrl = state.toxiproxy.directUrl;
    return toxiproxyClient(state.toxiproxy.directUrl!);
  });
  const starting = new Map<string, Promise<void>>();
  const startService = (name: string): Promise<void> => {
    let promise = starting.get(name);
    if (promise) return promise;
    const definition = definitions[name]!;
    const options = config.services[name];
    const dependsOn = definition.dependsOn?.(options) ?? [];
    const record: ServiceRecord = { name, envVar: definition.envVar, dataDir: join(stateDir, 'run', name), ...(dependsOn.length ? { dependsOn } : {}) };
    state.services[name] = record;
    promise = (async () => {
      await Promise.all(dependsOn.map(startService));
      const unit = await launchAndWait(definition, options, record);
      upstreams[name] = record.directUrl!;
      await createProxies(await toxiproxyReady, runtime, record, unit.upstream, definition, options);
      save();
    })();
    starting.set(name, promise);
    return promise;
  };

  // allSettled, not all: nothing may still be launching when a failure tears everything down.
  const results = await Promise.allSettled([toxiproxyReady, ...Object.keys(config.services).map(startService)]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await teardown(state, config);
    throw failure.reason;
  }
  state.status = 'up';
  save();
  writeDotenv(config.dotenvFile, dotenvVars(state));
  return state;
}

/** Starts a service on the runtime and waits for its probe. Retries on a fresh port if a free port was taken in between. */
async function launchUntilReady(
  runtime: Runtime,
  definition: ServiceDefinition,
  options: any,
  record: ServiceRecord,
  ctx: ServiceContext,
  stateDir: string,
  save: () => void,
  signal?: AbortSignal,
  proxies?: string[],
): Promise<StartedUnit> {
  const logFile = join(stateDir, 'logs', `${record.name}.log`);
  for (let attempt = 1; ; attempt++) {
    rmSync(record.dataDir, { recursive: true, force: true });
    mkdirSync(record.dataDir, { recursive: true });
    const unit = await runtime.start({ definition, options, ctx, logFile, proxies, signal });
    Object.assign(record, unit.record);
    record.port = unit.port;
    record.directUrl = definition.url(options, HOST, unit.port);
    save();
    try {
      record.version = await waitUntilReady(definition, options, record, unit, logFile, signal);
      return unit;
    } catch (error) {
      const portRace = error instanceof ServiceCrashedError && !options.port && /in use|EADDRINUSE/i.test(error.logTail);
      if (!portRace || attempt >= 3) throw error;
    }
  }
}

async function waitUntilReady(
  definition: ServiceDefinition,
  options: unknown,
  record: ServiceRecord,
  unit: StartedUnit,
  logFile: string,
  signal?: AbortSignal,
): Promise<string> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void unit.exited.then((e) => (exit = e));
  const timeoutMs = unit.readyTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not probed yet';
  for (;;) {
    signal?.throwIfAborted();
    if (exit) throw new ServiceCrashedError(record.name, exit.code, exit.signal, logTail(logFile), logFile);
    try {
      return await definition.probe(record.directUrl!, options);
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) {
      await unit.kill();
      throw new HealthCheckTimeoutError(record.name, timeoutMs, lastError, logTail(logFile), logFile);
    }
    await sleep(15);
  }
}

/** The service's own proxy (named after it), plus one per extra endpoint. */
async function createProxies(toxiproxy: Toxiproxy, runtime: Runtime, record: ServiceRecord, upstream: string, definition: ServiceDefinition, options: any): Promise<void> {
  record.proxyPort = await createProxy(toxiproxy, runtime, record.name, upstream);
  record.url = definition.url(options, HOST, record.proxyPort);
  const endpoints = definition.endpoints?.(options) ?? [];
  record.endpoints = await Promise.all(
    endpoints.map(async ({ proxy, envVar, path = '' }) => {
      const proxyPort = await createProxy(toxiproxy, runtime, proxy, upstream);
      return { proxy, envVar, proxyPort, url: definition.url(options, HOST, proxyPort) + path, directUrl: record.directUrl! + path };
    }),
  );
}

async function createProxy(toxiproxy: Toxiproxy, runtime: Runtime, name: string, upstream: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const { listen, port } = await runtime.proxyAddress(name);
    try {
      await toxiproxy.createProxy({ name, listen, upstream, enabled: true });
      return port;
    } catch (error) {
      // Most likely the free port was taken between claim and listen: try another.
      if (attempt >= 3) throw new FaultlineError(`Could not create the Toxiproxy proxy ${name}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Stops every recorded process or container, removes service data, the state file and the dotenv file. */
async function teardown(state: EnvironmentState, config: ResolvedConfig): Promise<void> {
  await (await runtimeNamed(state.runtime, config)).teardown(state);
  rmSync(join(config.stateDir, 'run'), { recursive: true, force: true });
  removeState(config.stateDir);
  if (existsSync(config.dotenvFile) && readFileSync(config.dotenvFile, 'utf8').startsWith(DOTENV_HEADER)) rmSync(config.dotenvFile);
}

function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const DOTENV_HEADER = '# Written by faultline env:up.';

function dotenvVars(state: EnvironmentState): Record<string, string> {
  const vars: Record<string, string> = {
    FAULTLINE_SEED: String(state.seed),
    TOXIPROXY_URL: state.toxiproxy.directUrl!,
  };
  for (const record of Object.values(state.services)) {
    vars[record.envVar] = record.url!;
    vars[directVar(record.envVar)] = record.directUrl!;
    for (const endpoint of record.endpoints ?? []) {
      vars[endpoint.envVar] = endpoint.url;
      vars[directVar(endpoint.envVar)] = endpoint.directUrl;
    }
  }
  // Until a simulated provider fronts it, apps reach the chain through anvil's own proxy.
  if (!vars.RPC_URL && vars.ANVIL_URL) {
    vars.RPC_URL = vars.ANVIL_URL;
    vars.RPC_DIRECT_URL = vars.ANVIL_DIRECT_URL!;
  }
  return vars;
}

const directVar = (envVar: string) => envVar.replace(/_URL$/, '_DIRECT_URL');

function writeDotenv(file: string, vars: Record<string, string>): void {
  const body = Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  writeFileSync(file, `${DOTENV_HEADER} URLs go through Toxiproxy; *_DIRECT_URL bypass it.\n${body}\n`);
}

function handleFor(state: EnvironmentState, config: ResolvedConfig, reused: boolean): Environment {
  const services = Object.fromEntries(
    Object.values(state.services).map((r) => [
      r.name,
      { name: r.name, version: r.version!, url: r.url!, directUrl: r.directUrl!, port: r.port!, proxyPort: r.proxyPort!, pid: r.process?.pid ?? 0, containerId: r.container?.id },
    ]),
  );
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= reused ? Promise.resolve() : stopEnvironment(config).then(() => {}));
  return {
    seed: state.seed,
    stateDir: config.stateDir,
    reused,
    services,
    env: dotenvVars(state),
    toxiproxyUrl: state.toxiproxy.directUrl!,
    toxiproxy: toxiproxyClient(state.toxiproxy.directUrl!),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
