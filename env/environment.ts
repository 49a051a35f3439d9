import { accessSync, chmodSync, constants, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Toxiproxy } from 'toxiproxy-node-client';
import { makeDir } from '../lib/files.ts';
import { pollUntil } from '../lib/poll.ts';
import { type FaultlineConfig, type ResolvedConfig, resolveConfig } from './config.ts';
import { bringUp, configHash, teardown } from './bring-up.ts';
import { assertDotenvOurs, dotenvVars } from './dotenv.ts';
import { FaultlineError } from './errors.ts';
import { ServiceLifecycle } from './lifecycle.ts';
import { runtimeNamed } from './runtimes/index.ts';
import type { ServiceDefinition } from './service.ts';
import { services as knownServices } from './services/index.ts';
import { EnvironmentBusyError, holderAlive, type Lease, pruneDeadLeases, readLeases } from './leases.ts';
import { acquireLock, type EnvironmentState, readState, type ServiceRecord } from './state.ts';
import { stopProcessGroup } from '../lib/processes.ts';
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
  /** An app's mitigations as it was started (its `mitigations.value`). */
  mitigations?: string;
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
  /** The config it was started with (or attached with). */
  config: ResolvedConfig;
  /** Stops one service: `kill` for a crash (SIGKILL), else a clean stop. `startService` brings it back. */
  stopService(name: string, options?: { kill?: boolean }): Promise<void>;
  /** Starts a stopped service again: same command, port and data; resolves when it answers its probe. */
  startService(name: string): Promise<void>;
  /** Stops a service cleanly and starts it again; resolves when it answers its probe. */
  restart(name: string): Promise<void>;
  /** Freezes a service (SIGSTOP, or docker pause): connections stay open, nothing answers. */
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  /** Probes a service until it answers (e.g. after it crashed on its own and was restarted by something else). */
  waitUntilReady(name: string, timeoutMs?: number): Promise<void>;
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
  assertDotenvOurs(resolved.dotenvFile);
  prepareStateDir(resolved.stateDir);
  const release = await acquireLock(resolved.stateDir);
  try {
    const existing = readState(resolved.stateDir);
    if (existing) {
      if (existing.status === 'up' && (await allAlive(existing, resolved))) {
        if (existing.configHash !== configHash(resolved)) {
          throw new FaultlineError(
            `An environment with a different config is already up in ${resolved.stateDir}. Stop it first (\`npx faultline env down\`), then start again.`,
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

/**
 * Stops the environment recorded in `stateDir` (from any process), frees its ports and
 * removes its state. A run that holds the environment is not pulled out from under its
 * feet: that is an EnvironmentBusyError, unless `force`, which stops the run first (it
 * reverts its faults on the way out). A killed run's k6 is stopped either way.
 */
export async function stopEnvironment(config: FaultlineConfig | ResolvedConfig = {}, options: { force?: boolean } = {}): Promise<boolean> {
  const resolved = isResolved(config) ? config : resolveConfig(config);
  await pruneDeadLeases(resolved.stateDir);
  const holder = readLeases(resolved.stateDir).find((l) => holderAlive(l) && l.pid !== process.pid);
  if (holder && !options.force) throw new EnvironmentBusyError(resolved.stateDir, holder, 'stop it (Ctrl-C), wait for it, or `env down --force` to stop the run and then the environment');
  if (holder) await stopProcessGroup(holder.pid, 'SIGTERM', 15_000).catch(() => {});
  for (const lease of readLeases(resolved.stateDir)) if (lease.k6 && holderAlive(lease.k6)) await stopProcessGroup(lease.k6.pid, 'SIGKILL', 0);
  const release = await acquireLock(resolved.stateDir);
  try {
    const state = readState(resolved.stateDir);
    if (!state) return false;
    await teardown(state, resolved);
    rmSync(join(resolved.stateDir, 'runs.json'), { force: true });
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
export async function environmentStatus(config: FaultlineConfig | ResolvedConfig = {}): Promise<{ state?: EnvironmentState; services: ServiceHealth[]; runs: Array<Lease & { alive: boolean }> }> {
  const resolved = isResolved(config) ? config : resolveConfig(config);
  const state = readState(resolved.stateDir);
  const runs = readLeases(resolved.stateDir).map((l) => ({ ...l, alive: holderAlive(l) }));
  if (!state) return { services: [], runs };
  const runtime = await runtimeNamed(state.runtime, resolved);
  const probe = async (definition: ServiceDefinition | undefined, options: unknown, url?: string) => {
    if (!url) return 'not started';
    if (!definition) return 'not in the config any more';
    try {
      await definition.probe(url, options);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const rows = await Promise.all(
    [['toxiproxy', state.toxiproxy] as const, ...Object.entries(state.services)].map(async ([name, record]) => {
      const definition = name === 'toxiproxy' ? toxiproxyServer : definitionOf(resolved, name);
      const options = name === 'toxiproxy' ? resolved.toxiproxy : (resolved.services[name] ?? definition?.options.parse({}));
      return {
        name,
        pid: record.process?.pid,
        containerId: record.container?.id,
        alive: await runtime.isAlive(record),
        directError: await probe(definition, options, record.directUrl),
        proxyError: name === 'toxiproxy' ? undefined : await probe(definition, options, record.url),
        url: record.url,
        directUrl: record.directUrl,
        version: record.version,
      };
    }),
  );
  return { state, services: rows, runs };
}

/** Services of the environment whose process (or container) is gone though nothing stopped it on purpose. */
export async function deadServices(config: ResolvedConfig): Promise<Array<{ name: string; logFile?: string }>> {
  const state = readState(config.stateDir);
  if (!state) return [];
  const runtime = await runtimeNamed(state.runtime, config);
  const records = Object.values(state.services).filter((r) => !r.stopped && !r.external);
  const alive = await Promise.all(records.map((r) => runtime.isAlive(r)));
  return records.filter((_, i) => !alive[i]).map((r) => ({ name: r.name, logFile: r.process?.logFile ?? r.container?.logFile }));
}

const definitionOf = (config: ResolvedConfig, name: string): ServiceDefinition | undefined => config.definitions[name] ?? knownServices[name];

export function isResolved(config: FaultlineConfig | ResolvedConfig): config is ResolvedConfig {
  return 'rootDir' in config && 'file' in config && 'definitions' in config;
}

function prepareStateDir(stateDir: string): void {
  try {
    makeDir(stateDir);
    if (!statSync(stateDir).isDirectory()) throw new Error('it is a file, not a folder');
    accessSync(stateDir, constants.W_OK);
    // As root, Postgres runs as the `postgres` user and must be able to reach its data dir.
    if (process.getuid?.() === 0) chmodSync(stateDir, 0o755);
  } catch (error) {
    throw new FaultlineError(`stateDir ${stateDir} cannot be used: ${(error as Error).message}. Point \`stateDir\` in your config at a folder you can write.`);
  }
}

async function allAlive(state: EnvironmentState, config: ResolvedConfig): Promise<boolean> {
  const runtime = await runtimeNamed(state.runtime, config);
  // A service a lifecycle call stopped on purpose is not a dead environment.
  const records = [state.toxiproxy, ...Object.values(state.services).filter((r) => !r.stopped && !r.external)];
  const alive = await Promise.all(records.map((r) => runtime.isAlive(r)));
  return alive.every(Boolean);
}

function startedService(r: ServiceRecord): StartedService {
  return {
    name: r.name,
    version: r.version!,
    url: r.url!,
    directUrl: r.directUrl!,
    port: r.port!,
    proxyPort: r.proxyPort!,
    pid: r.process?.pid ?? 0,
    containerId: r.container?.id,
    ...(r.mitigations !== undefined ? { mitigations: r.mitigations } : {}),
  };
}

function handleFor(state: EnvironmentState, config: ResolvedConfig, reused: boolean): Environment {
  const services = Object.fromEntries(Object.values(state.services).map((r) => [r.name, startedService(r)]));
  const lifecycle = new ServiceLifecycle(config);
  // After a lifecycle call the pid (or container) may be new: refresh what the handle says.
  const refresh = () => {
    const now = readState(config.stateDir);
    for (const record of Object.values(now?.services ?? {})) services[record.name] = startedService(record);
  };
  const act = (call: () => Promise<void>) => call().finally(refresh);
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
    config,
    stopService: (name, options) => act(() => lifecycle.stop(name, options)),
    startService: (name) => act(() => lifecycle.start(name)),
    restart: (name) => act(() => lifecycle.restart(name)),
    pause: (name) => act(() => lifecycle.pause(name)),
    resume: (name) => act(() => lifecycle.resume(name)),
    async waitUntilReady(name, timeoutMs = 30_000) {
      const definition = definitionOf(config, name);
      const service = services[name];
      if (!definition || !service) throw new FaultlineError(`No service "${name}" in this environment; it runs ${Object.keys(services).join(', ')}.`);
      await pollUntil(() => definition.probe(service.directUrl, config.services[name]), { timeoutMs });
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
