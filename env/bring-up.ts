import { createHash, randomInt } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Toxiproxy } from 'toxiproxy-node-client';
import { logTail } from '../lib/files.ts';
import { pollUntil, PollTimeoutError } from '../lib/poll.ts';
import type { ResolvedConfig } from './config.ts';
import { dotenvVars, removeDotenv, writeDotenv } from './dotenv.ts';
import { externalUrl, hostPort, throughProxy } from './external.ts';
import { FaultlineError, HealthCheckTimeoutError, PortInUseError, ServiceCrashedError } from './errors.ts';
import { HOST } from './ports.ts';
import { chooseRuntime, runtimeNamed } from './runtimes/index.ts';
import type { Runtime, StartedUnit } from './runtimes/runtime.ts';
import type { ServiceContext, ServiceDefinition, ServiceEndpoint } from './service.ts';
import { createRunDir, removeRunDir } from './run-dir.ts';
import { type EnvironmentState, removeState, type ServiceRecord, writeState } from './state.ts';
import { Toolbox } from './tools/toolbox.ts';
import { toxiproxyClient, toxiproxyServer } from './toxiproxy.ts';

/** A short hash of what the environment was started from, so a different config is never silently reused. */
export function configHash(config: ResolvedConfig): string {
  const { services, toxiproxy, seed, runtime, containers } = config;
  // Functions (an app's `env` mapping) count by their source.
  const json = JSON.stringify({ services, toxiproxy, seed, runtime, containers }, (_key, value: unknown) => (typeof value === 'function' ? value.toString() : value));
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

/** Starts Toxiproxy and every service in parallel (each after its dependsOn), then one proxy per service. */
export async function bringUp(config: ResolvedConfig, log: (line: string) => void, signal?: AbortSignal): Promise<EnvironmentState> {
  const { stateDir, home } = config;
  const upStarted = Date.now();
  rmSync(join(stateDir, 'logs'), { recursive: true, force: true });
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  createRunDir(stateDir);
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

  const tools = new Toolbox();
  const upstreams: Record<string, string> = {};
  const contextFor = (record: ServiceRecord): ServiceContext => {
    // Only services whose proxies exist: computed at launch, when the dependsOn ones are up.
    const started = Object.fromEntries(Object.entries(state.services).filter(([, r]) => r.url));
    return {
      dataDir: record.dataDir,
      cacheDir: join(home, 'cache'),
      seed,
      tools,
      upstreams,
      env: dotenvVars({ ...state, services: started }),
      endpoints: Object.fromEntries(Object.entries(started).map(([name, r]) => [name, endpointOf(r.url!, r.directUrl!)])),
      rootDir: config.rootDir,
    };
  };
  const launchAndWait = async (definition: ServiceDefinition, options: any, record: ServiceRecord, proxies?: string[]) => {
    const started = Date.now();
    const unit = await launchUntilReady(runtime, definition, options, record, contextFor(record), stateDir, save, signal, proxies).catch((error: unknown) => {
      // The port was pinned in a config file: name the file the user has to change.
      throw error instanceof PortInUseError && !config.file.startsWith('(') ? new PortInUseError(error.service, error.port, config.file) : error;
    });
    if (!record.external) await definition.afterReady?.(contextFor(record), options, record.directUrl!);
    const waited = record.startup?.for.length ? ` (after ${record.startup.waitedMs} ms waiting for ${record.startup.for.join(', ')})` : '';
    log(`${record.name} ready in ${Date.now() - started} ms${waited}`);
    return unit;
  };

  // Every proxy the environment will create, known up front: a containerised Toxiproxy can only listen on ports published at its start.
  const proxies = Object.entries(config.services).flatMap(([name, options]) => [name, ...(config.definitions[name]!.endpoints?.(options) ?? []).map((e) => e.proxy)]);
  const toxiproxyReady = launchAndWait(toxiproxyServer, config.toxiproxy, state.toxiproxy, proxies).then(() => {
    state.toxiproxy.startup = { waitedMs: 0, for: [], readyMs: Date.now() - upStarted, atMs: 0 };
    state.toxiproxy.apiUrl = state.toxiproxy.directUrl;
    return toxiproxyClient(state.toxiproxy.directUrl!);
  });
  const starting = new Map<string, Promise<void>>();
  const startService = (name: string): Promise<void> => {
    let promise = starting.get(name);
    if (promise) return promise;
    const definition = config.definitions[name]!;
    const options = config.services[name];
    const dependsOn = definition.dependsOn?.(options) ?? [];
    const record: ServiceRecord = {
      name,
      envVar: definition.envVar,
      ...(definition.fallbackEnvVars ? { fallbackEnvVars: definition.fallbackEnvVars } : {}),
      dataDir: join(stateDir, 'run', name),
      ...(dependsOn.length ? { dependsOn } : {}),
    };
    if (definition.app?.mitigations) record.mitigations = (options as { mitigations: { value: string } }).mitigations.value;
    state.services[name] = record;
    promise = (async () => {
      const waiting = Date.now();
      await Promise.all(dependsOn.map(startService));
      // The critical path, for env up's log and bench:env: how long it waited for what, then took itself.
      record.startup = { waitedMs: Date.now() - waiting, for: dependsOn, readyMs: 0, atMs: Date.now() - upStarted };
      const unit = await launchAndWait(definition, options, record);
      record.startup.readyMs = Date.now() - waiting - record.startup.waitedMs;
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

/** A service's endpoint from its proxied and direct URLs. */
export function endpointOf(url: string, directUrl: string): ServiceEndpoint {
  const u = new URL(url);
  return {
    url,
    directUrl,
    host: u.hostname,
    port: Number(u.port),
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { database: decodeURIComponent(u.pathname.slice(1)) } : {}),
  };
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
  const external = externalUrl(options);
  if (external) {
    // Nothing to start: the team runs it. It must answer, and then gets a proxy like any service.
    const unit: StartedUnit = { port: Number(new URL(external).port), upstream: hostPort(external), record: {}, exited: new Promise(() => {}), kill: async () => {}, readyTimeoutMs: 5000 };
    Object.assign(record, { external: true, port: unit.port, directUrl: external });
    record.version = await waitUntilReady(definition, options, record, unit, signal).catch((error: Error) => {
      throw new FaultlineError(`${record.name}: the service you run at ${hostPort(external)} (external) does not answer: ${error.message.split('\n')[0]}`, { cause: error });
    });
    save();
    return unit;
  }
  for (let attempt = 1; ; attempt++) {
    rmSync(record.dataDir, { recursive: true, force: true });
    mkdirSync(record.dataDir, { recursive: true });
    const unit = await runtime.start({ definition, options, ctx, logFile, proxies, signal });
    Object.assign(record, unit.record);
    record.port = unit.port;
    record.directUrl = definition.url(options, HOST, unit.port);
    save();
    try {
      record.version = await waitUntilReady(definition, options, record, unit, signal);
      return unit;
    } catch (error) {
      const pinned = typeof options.port === 'number' && options.port > 0;
      const portRace = error instanceof ServiceCrashedError && !pinned && /in use|EADDRINUSE/i.test(error.logTail);
      if (!portRace || attempt >= 3) throw error;
    }
  }
}

/**
 * Probes a just-launched (or relaunched) service until it answers, and returns its
 * version. A process that exits first is a ServiceCrashedError; one that never answers
 * is stopped and a HealthCheckTimeoutError; both carry the last lines of its log.
 */
export async function waitUntilReady(definition: ServiceDefinition, options: unknown, record: ServiceRecord, unit: StartedUnit, signal?: AbortSignal): Promise<string> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void unit.exited.then((e) => (exit = e));
  const logFile = record.process?.logFile ?? record.container?.logFile ?? '';
  try {
    return await pollUntil(() => definition.probe(record.directUrl!, options), {
      timeoutMs: unit.readyTimeoutMs,
      signal,
      check: () => {
        if (exit) throw new ServiceCrashedError(record.name, exit.code, exit.signal, logTail(logFile), logFile);
      },
    });
  } catch (error) {
    if (!(error instanceof PollTimeoutError)) throw error;
    await unit.kill();
    throw new HealthCheckTimeoutError(record.name, error.timeoutMs, error.lastError, logTail(logFile), logFile, definition.readinessHint?.(options as never, unit.port));
  }
}

/** The service's own proxy (named after it), plus one per extra endpoint. */
async function createProxies(toxiproxy: Toxiproxy, runtime: Runtime, record: ServiceRecord, upstream: string, definition: ServiceDefinition, options: any): Promise<void> {
  record.proxyPort = await createProxy(toxiproxy, runtime, record.name, upstream);
  record.url = record.external ? throughProxy(record.directUrl!, HOST, record.proxyPort) : definition.url(options, HOST, record.proxyPort);
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
export async function teardown(state: EnvironmentState, config: ResolvedConfig): Promise<void> {
  try {
    await (await runtimeNamed(state.runtime, config)).teardown(state);
  } catch (error) {
    // A start that failed before its runtime ran anything (no Docker engine) leaves nothing to stop:
    // its state must not outlive it and block every later start, whatever the runtime.
    const recorded = [state.toxiproxy, ...Object.values(state.services)].some((r) => r.container || r.process);
    if (recorded) throw error;
  }
  removeRunDir(config.stateDir);
  removeState(config.stateDir);
  removeDotenv(config.dotenvFile);
}
