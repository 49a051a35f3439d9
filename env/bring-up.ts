import { createHash, randomInt } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Proxy, Toxiproxy } from 'toxiproxy-node-client';
import { logTail } from '../lib/files.ts';
import { pollUntil, PollTimeoutError } from '../lib/poll.ts';
import type { ResolvedConfig } from './config.ts';
import { dotenvVars, removeDotenv, writeDotenv } from './dotenv.ts';
import { externalUrl, hostPort, throughProxy } from './external.ts';
import { FaultlineError, HealthCheckTimeoutError, PortInUseError, ServiceCrashedError } from './errors.ts';
import { HOST } from './ports.ts';
import { chooseRuntime, runtimeNamed } from './runtimes/index.ts';
import type { Runtime, StartedUnit } from './runtimes/runtime.ts';
import { dependencies, type ServiceContext, type ServiceDefinition, type ServiceEndpoint } from './service.ts';
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

/**
 * Starts Toxiproxy and every service in parallel, each after its dependsOn (ready, or only
 * started), with its proxies created as soon as it is launched, so its URL exists before it
 * answers. Resolves once everything is ready.
 */
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
    // Only services whose proxies exist: computed at launch, when the dependsOn ones are ready or started.
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
  const launchAndWait = async (definition: ServiceDefinition, options: any, record: ServiceRecord, how: { proxies?: string[]; onLaunch?: (unit: StartedUnit) => void; signal?: AbortSignal } = {}) => {
    const started = Date.now();
    const unit = await launchUntilReady(runtime, definition, options, record, () => contextFor(record), stateDir, save, how.signal ?? signal, how.proxies, how.onLaunch).catch((error: unknown) => {
      // The port was pinned in a config file: name the file the user has to change.
      throw error instanceof PortInUseError && !config.file.startsWith('(') ? new PortInUseError(error.service, error.port, config.file) : error;
    });
    if (!record.external) await definition.afterReady?.(contextFor(record), options, record.directUrl!);
    log(`${record.name} ready in ${Date.now() - started} ms${waitedLine(record)}`);
    return unit;
  };

  // Every proxy the environment will create, known up front: a containerised Toxiproxy can only listen on ports published at its start.
  const proxies = Object.entries(config.services).flatMap(([name, options]) => [name, ...(config.definitions[name]!.endpoints?.(options) ?? []).map((e) => e.proxy)]);
  const toxiproxyReady = launchAndWait(toxiproxyServer, config.toxiproxy, state.toxiproxy, { proxies }).then(() => {
    state.toxiproxy.startup = { waitedMs: 0, for: [], readyMs: Date.now() - upStarted, atMs: 0 };
    state.toxiproxy.apiUrl = state.toxiproxy.directUrl;
    return toxiproxyClient(state.toxiproxy.directUrl!);
  });
  /** Per service: `started` once launched with its URL and proxies in place, `ready` once it answers (and its proxies follow its final port). */
  const starting = new Map<string, { started: Promise<void>; ready: Promise<void> }>();
  const startService = (name: string): { started: Promise<void>; ready: Promise<void> } => {
    const known = starting.get(name);
    if (known) return known;
    const definition = config.definitions[name]!;
    const options = config.services[name];
    const deps = dependencies(definition, options);
    const record: ServiceRecord = {
      name,
      envVar: definition.envVar,
      ...(definition.fallbackEnvVars ? { fallbackEnvVars: definition.fallbackEnvVars } : {}),
      dataDir: join(stateDir, 'run', name),
      // Stop order: it stops before everything it depends on, whatever the condition.
      ...(deps.length ? { dependsOn: deps.map((d) => d.service) } : {}),
    };
    if (definition.app?.mitigations) record.mitigations = (options as { mitigations: { value: string } }).mitigations.value;
    state.services[name] = record;
    let markStarted!: () => void;
    let startFailed!: (error: unknown) => void;
    const started = new Promise<void>((resolve, reject) => ((markStarted = resolve), (startFailed = reject)));
    // A failure reaches everyone through `ready` (awaited by allSettled); a dependent only waiting for the start gets it here too.
    started.catch(() => {});
    // A dependency that fails stops this start too: launched on a `started` one, it would otherwise
    // run on until its own ready timeout before the teardown. Its error is the dependency's.
    const dependencyFailed = new AbortController();
    const ownSignal = signal ? AbortSignal.any([signal, dependencyFailed.signal]) : dependencyFailed.signal;
    const ready = (async () => {
      const waiting = Date.now();
      const waits = deps.map((d) => {
        const dependency = startService(d.service);
        dependency.ready.catch((error: unknown) => dependencyFailed.abort(error));
        return d.condition === 'started' ? dependency.started : dependency.ready;
      });
      await Promise.all(waits);
      // The critical path, for env up's log and bench:env: how long it waited for what, then took itself.
      const forStarted = deps.filter((d) => d.condition === 'started').map((d) => d.service);
      const startup: NonNullable<ServiceRecord['startup']> = (record.startup = {
        waitedMs: Date.now() - waiting,
        for: deps.filter((d) => d.condition === 'ready').map((d) => d.service),
        ...(forStarted.length ? { forStarted } : {}),
        readyMs: 0,
        atMs: Date.now() - upStarted,
      });
      // Proxies are created at the first launch and re-pointed at each relaunch (a port race), in that order.
      let proxying: Promise<Proxy[]> | undefined;
      const onLaunch = (unit: StartedUnit) => {
        upstreams[name] = record.directUrl!;
        const previous = proxying;
        proxying = previous
          ? previous.then((created) => repointProxies(created, unit.upstream, record, definition, options))
          : toxiproxyReady.then(async (toxiproxy) => {
              const created = await createProxies(toxiproxy, runtime, record, unit.upstream, definition, options);
              startup.startedMs = Date.now() - upStarted - startup.atMs;
              save();
              markStarted();
              return created;
            });
        proxying.catch(() => {});
      };
      // Proxies still being created when the launch fails are let finish, so teardown finds nothing in flight.
      await launchAndWait(definition, options, record, { onLaunch, signal: ownSignal }).catch(async (error: unknown) => {
        await proxying?.catch(() => {});
        throw error;
      });
      await proxying;
      startup.readyMs = Date.now() - waiting - startup.waitedMs;
      save();
    })();
    ready.catch(startFailed);
    const entry = { started, ready };
    starting.set(name, entry);
    return entry;
  };

  // allSettled, not all: nothing may still be launching when a failure tears everything down.
  const results = await Promise.allSettled([toxiproxyReady, ...Object.keys(config.services).map((name) => startService(name).ready)]);
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

/** " (after 412 ms waiting for postgres, redis to be ready and llm to start)" for env up's log; empty when it waited for nothing. */
function waitedLine(record: ServiceRecord): string {
  const { waitedMs = 0, for: ready = [], forStarted = [] } = record.startup ?? {};
  if (ready.length + forStarted.length === 0) return '';
  const what = [ready.length ? `${ready.join(', ')} to be ready` : '', forStarted.length ? `${forStarted.join(', ')} to start` : ''].filter(Boolean).join(' and ');
  return ` (after ${waitedMs} ms waiting for ${what})`;
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
  ctx: () => ServiceContext,
  stateDir: string,
  save: () => void,
  signal?: AbortSignal,
  proxies?: string[],
  onLaunch?: (unit: StartedUnit) => void,
): Promise<StartedUnit> {
  const logFile = join(stateDir, 'logs', `${record.name}.log`);
  const external = externalUrl(options);
  if (external) {
    // Nothing to start: the team runs it. It must answer, and then gets a proxy like any service.
    const unit: StartedUnit = { port: Number(new URL(external).port), upstream: hostPort(external), record: {}, exited: new Promise(() => {}), kill: async () => {}, readyTimeoutMs: 5000 };
    Object.assign(record, { external: true, port: unit.port, directUrl: external });
    onLaunch?.(unit);
    record.version = await waitUntilReady(definition, options, record, unit, signal).catch((error: Error) => {
      throw new FaultlineError(`${record.name}: the service you run at ${hostPort(external)} (external) does not answer: ${error.message.split('\n')[0]}`, { cause: error });
    });
    save();
    return unit;
  }
  for (let attempt = 1; ; attempt++) {
    rmSync(record.dataDir, { recursive: true, force: true });
    mkdirSync(record.dataDir, { recursive: true });
    const unit = await runtime.start({ definition, options, ctx: ctx(), logFile, proxies, signal });
    Object.assign(record, unit.record);
    record.port = unit.port;
    record.directUrl = definition.url(options, HOST, unit.port);
    save();
    onLaunch?.(unit);
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

/**
 * The service's own proxy (named after it), plus one per extra endpoint; the record gets
 * their URLs all at once, so a service launched meanwhile sees all of them or none.
 */
async function createProxies(toxiproxy: Toxiproxy, runtime: Runtime, record: ServiceRecord, upstream: string, definition: ServiceDefinition, options: any): Promise<Proxy[]> {
  const own = await createProxy(toxiproxy, runtime, record.name, upstream);
  const url = record.external ? throughProxy(record.directUrl!, HOST, own.port) : definition.url(options, HOST, own.port);
  const extra = await Promise.all(
    (definition.endpoints?.(options) ?? []).map(async ({ proxy, envVar, path = '' }) => {
      const created = await createProxy(toxiproxy, runtime, proxy, upstream);
      return { created, endpoint: { proxy, envVar, proxyPort: created.port, url: definition.url(options, HOST, created.port) + path, directUrl: record.directUrl! + path } };
    }),
  );
  Object.assign(record, { proxyPort: own.port, url, endpoints: extra.map((e) => e.endpoint) });
  return [own.proxy, ...extra.map((e) => e.created.proxy)];
}

/**
 * A service relaunched on another port (a port race) keeps its proxies, and so the URLs
 * dependents already have; the proxies now dial the new port. (A dependent launched in
 * between keeps the old *direct* URL; direct URLs bypass the proxy by design.)
 */
async function repointProxies(proxies: Proxy[], upstream: string, record: ServiceRecord, definition: ServiceDefinition, options: any): Promise<Proxy[]> {
  const repointed = await Promise.all(proxies.map((proxy) => proxy.update({ enabled: proxy.enabled, listen: proxy.listen, upstream })));
  const paths = new Map((definition.endpoints?.(options) ?? []).map((e) => [e.proxy, e.path ?? '']));
  record.endpoints = record.endpoints?.map((e) => ({ ...e, directUrl: record.directUrl! + (paths.get(e.proxy) ?? '') }));
  return repointed;
}

async function createProxy(toxiproxy: Toxiproxy, runtime: Runtime, name: string, upstream: string): Promise<{ proxy: Proxy; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const { listen, port } = await runtime.proxyAddress(name);
    try {
      return { proxy: await toxiproxy.createProxy({ name, listen, upstream, enabled: true }), port };
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
