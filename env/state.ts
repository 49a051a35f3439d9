import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentLockedError } from './errors.ts';
import { makeDir, writeJsonAtomic } from '../lib/files.ts';
import { isAlive, sleep } from '../lib/processes.ts';
import type { RuntimeName } from './runtimes/runtime.ts';
import type { LaunchSpec } from './service.ts';

/** One running process as recorded in env.json: enough for `env:down` to stop it from another terminal. */
export interface ProcessRecord {
  pid: number;
  command: string;
  /** Start time from /proc, checked before signalling so a reused pid is never killed. */
  startTime?: string;
  stopSignal: NodeJS.Signals;
  logFile: string;
  /** How it was launched (its own variables only, not the caller's), so a restart from any process starts it the same way. */
  launch?: Pick<LaunchSpec, 'command' | 'args' | 'env' | 'cwd' | 'user'>;
}

/** One container as recorded in env.json (containers runtime). */
export interface ContainerRecord {
  id: string;
  name: string;
  image: string;
  logFile: string;
}

export interface ServiceRecord {
  name: string;
  process?: ProcessRecord;
  container?: ContainerRecord;
  /** Where the service itself listens. */
  port?: number;
  /** Where its Toxiproxy proxy listens. */
  proxyPort?: number;
  directUrl?: string;
  url?: string;
  envVar: string;
  /** Variables it fills only when no other service sets them (see ServiceDefinition.fallbackEnvVars). */
  fallbackEnvVars?: string[];
  version?: string;
  dataDir: string;
  /** Additional proxies of this service (see ServiceDefinition.endpoints). */
  endpoints?: Array<{ proxy: string; envVar: string; proxyPort: number; url: string; directUrl: string }>;
  /** The services it was started after; it is stopped before them. */
  dependsOn?: string[];
  /** An app's mitigations as it was started with them (its `mitigations.value`). */
  mitigations?: string;
  /**
   * How its start went: waited `waitedMs` for its dependencies (`for` until ready,
   * `forStarted` only until started), was launched `atMs` into env up, had its URL and
   * proxies `startedMs` later and was ready `readyMs` after its launch.
   */
  startup?: { waitedMs: number; for: string[]; forStarted?: string[]; readyMs: number; atMs: number; startedMs?: number };
  /** A service the team runs (`external`, `tcp`): Faultline proxies it, and never starts or stops it. */
  external?: boolean;
  /** Set while a lifecycle call has it stopped (killed) or frozen (paused), so any process can tell. */
  stopped?: boolean;
  paused?: boolean;
}

/** `.faultline/env.json`: machine-readable description of a running environment. */
export interface EnvironmentState {
  version: 1;
  status: 'starting' | 'up';
  /** The process that ran env:up (gone once it returned; services are detached). */
  ownerPid: number;
  startedAt: string;
  seed: number;
  /** Hash of the resolved config, so a different config is not silently reused. */
  configHash: string;
  runtime: RuntimeName;
  /** Containers runtime: the label every container and network of this environment carries, and the network. */
  containers?: { label: string; network: string };
  toxiproxy: ServiceRecord & { apiUrl?: string };
  services: Record<string, ServiceRecord>;
}

export const stateFile = (stateDir: string) => join(stateDir, 'env.json');

export function readState(stateDir: string): EnvironmentState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(stateDir), 'utf8')) as EnvironmentState;
  } catch {
    return undefined;
  }
}

/** Atomic write: a reader never sees half a file, even if we are killed mid-write. */
export function writeState(stateDir: string, state: EnvironmentState): void {
  makeDir(stateDir);
  // Owner only: it records launch environments (an app's database URL and secrets).
  writeJsonAtomic(stateFile(stateDir), state, 0o600);
}

export function removeState(stateDir: string): void {
  rmSync(stateFile(stateDir), { force: true });
}

/**
 * An exclusive lock on the state directory (O_EXCL file holding our pid), so two
 * `env:up`s cannot both start services. A lock whose holder died is taken over.
 */
export async function acquireLock(stateDir: string, timeoutMs = 120_000): Promise<() => void> {
  makeDir(stateDir);
  const lockFile = join(stateDir, 'env.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(lockFile, 'utf8').trim());
    } catch {
      continue; // released between our open and our read
    }
    if (holder === process.pid) throw new Error(`lock ${lockFile} is already held by this process`);
    // An empty file is a holder between open and write: wait, unless it is old.
    const stale = holder ? !isAlive(holder) : Date.now() - (statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 2000;
    if (stale) {
      breakStaleLock(lockFile, holder);
      continue;
    }
    if (Date.now() > deadline) throw new EnvironmentLockedError(lockFile, holder);
    await sleep(50);
  }
}

/**
 * Removes a lock whose holder is gone, at most once. Waiters that all saw the same stale
 * holder race here; without the O_EXCL marker, a slow one would remove the lock a fast
 * one had just taken, and both would hold it.
 */
function breakStaleLock(lockFile: string, holder: number): void {
  const marker = `${lockFile}.break-${holder}`;
  try {
    closeSync(openSync(marker, 'wx'));
  } catch {
    // Another waiter is breaking it. A marker whose waiter died mid-break is cleared after a while.
    if (Date.now() - (statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 5000) rmSync(marker, { force: true });
    return;
  }
  try {
    // Still the stale holder's lock, not one a faster waiter has taken since we read it?
    const now = Number(readFileSync(lockFile, 'utf8').trim());
    if (now === holder) rmSync(lockFile, { force: true });
  } catch {
    /* already gone */
  } finally {
    rmSync(marker, { force: true });
  }
}

/**
 * Calls `stop` for every service, each only once every service that depends on it has
 * stopped: an app stopped after its database would wait on the dead connection until
 * it is killed. Independent services stop in parallel.
 */
export async function stopDependentsFirst(services: Record<string, ServiceRecord>, stop: (record: ServiceRecord) => Promise<void>): Promise<void> {
  const stopping = new Map<string, Promise<void>>();
  const stopService = (record: ServiceRecord): Promise<void> => {
    let promise = stopping.get(record.name);
    if (!promise) {
      const dependents = Object.values(services).filter((other) => other.dependsOn?.includes(record.name));
      promise = Promise.all(dependents.map(stopService)).then(() => stop(record));
      stopping.set(record.name, promise);
    }
    return promise;
  };
  await Promise.all(Object.values(services).map(stopService));
}

export const lockExists = (stateDir: string) => existsSync(join(stateDir, 'env.lock'));
