import { spawn } from 'node:child_process';
import { chownSync, closeSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isAlive, signalGroup, startTimeOf, stopProcessGroup } from '../../lib/processes.ts';
import { claimPort, HOST } from '../ports.ts';
import type { LaunchSpec } from '../service.ts';
import { type ProcessRecord, stopDependentsFirst } from '../state.ts';
import type { Runtime, StartedUnit } from './runtime.ts';

/** Set on every launched server: the run directory whose pid file names it (see stopUnrecorded). */
const RUN_DIR_VAR = 'FAULTLINE_RUN_DIR';

/** A server process started in its own process group, detached from the caller. */
export interface LaunchedProcess {
  pid: number;
  /** Resolves when the process exits (only observable by the process that launched it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The local runtime: every service is a plain process on this machine. Processes are
 * detached into their own process group, with output in a log file, so they outlive
 * `env:up` and `env:down` can stop them from any terminal.
 */
export function launch(spec: LaunchSpec, logFile: string, pidFile?: string): LaunchedProcess {
  const log = openSync(logFile, 'a', 0o600); // owner only: services log their connection URLs
  let [command, args] = [spec.command, spec.args];
  let env = { ...process.env, ...spec.env };
  if (pidFile) {
    // Marks the process as this run directory's, for a server that runs elsewhere (the mocks run in the repo root).
    env = { ...env, [RUN_DIR_VAR]: dirname(pidFile) };
    // The child writes its own pid before it execs the server (same pid), so a server
    // is findable even if we are killed between spawn() and recording its pid.
    writeFileSync(pidFile, '');
    if (spec.user) chownSync(pidFile, spec.user.uid, spec.user.gid);
    [command, args] = ['/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', pidFile, spec.command, ...spec.args]];
  }
  try {
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: ['ignore', log, log],
      uid: spec.user?.uid,
      gid: spec.user?.gid,
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: 127, signal: null }));
    });
    child.unref();
    if (child.pid === undefined) {
      // spawn failed synchronously (ENOENT, EACCES); 'error' carries the reason.
      return { pid: -1, exited };
    }
    return { pid: child.pid, exited };
  } finally {
    closeSync(log);
  }
}

/** The local runtime as a Runtime: each service a detached process group on 127.0.0.1. */
export const localRuntime: Runtime = {
  name: 'local',

  async start({ definition, options, ctx, logFile, signal }) {
    const requested = typeof options.port === 'number' ? options.port : typeof options.port === 'object' ? options.port.port : undefined;
    const port = await claimPort(definition.name, requested);
    const spec = await definition.prepare(ctx, options, port);
    signal?.throwIfAborted();
    // Started in its data dir, with a pid file beside it: teardown finds it even if env:up was killed before recording it.
    return launchUnit({ ...spec, cwd: spec.cwd ?? ctx.dataDir }, port, logFile, pidFileFor(ctx.dataDir));
  },

  async relaunch(record) {
    const process_ = record.process;
    if (!process_?.launch || !record.port) throw new Error(`${record.name}: env.json does not say how it was started, so it cannot be started again`);
    if (ours(process_)) await stopRecorded(process_);
    return launchUnit({ ...process_.launch, stopSignal: process_.stopSignal }, record.port, process_.logFile, pidFileFor(record.dataDir));
  },

  async stop(record, { kill }) {
    if (record.process) await stopRecorded(record.process, kill ? 'SIGKILL' : record.process.stopSignal);
  },

  async pause(record) {
    if (!record.process || !ours(record.process)) throw new Error(`${record.name} is not running`);
    signalGroup(record.process.pid, 'SIGSTOP');
  },

  async resume(record) {
    if (record.process && ours(record.process)) signalGroup(record.process.pid, 'SIGCONT');
  },

  async proxyAddress(proxy) {
    const port = await claimPort(`${proxy} proxy`);
    return { listen: `${HOST}:${port}`, port };
  },

  async isAlive(record) {
    return record.process ? ours(record.process) : false;
  },

  async teardown(state) {
    // Toxiproxy last: apps reach their dependencies through it while they shut down.
    await stopDependentsFirst(state.services, async (r) => (r.process ? stopRecorded(r.process) : undefined));
    if (state.toxiproxy.process) await stopRecorded(state.toxiproxy.process);
    await stopUnrecorded(dirname(state.toxiproxy.dataDir));
  },
};

const pidFileFor = (dataDir: string) => `${dataDir}.pid`;

/** Launches `spec` on `port` and describes it as a unit; the record keeps the spec, so the service can be started again the same way. */
function launchUnit(spec: LaunchSpec, port: number, logFile: string, pidFile: string): StartedUnit {
  const process_ = launch(spec, logFile, pidFile);
  const { command, args, env, cwd, user } = spec;
  return {
    port,
    upstream: `${HOST}:${port}`,
    record: { process: { pid: process_.pid, command, startTime: startTimeOf(process_.pid), stopSignal: spec.stopSignal ?? 'SIGTERM', logFile, launch: { command, args, env, cwd, user } } },
    exited: process_.exited,
    kill: () => stopProcessGroup(process_.pid, 'SIGKILL', 0),
    readyTimeoutMs: spec.readyTimeoutMs ?? 30_000,
  };
}

/**
 * Stops servers that were launched but never recorded in env.json (env:up killed right
 * after spawn): found by the pid files in the run directory, and only if that pid still
 * runs inside the run directory or carries its FAULTLINE_RUN_DIR (redis and postgres
 * overwrite their environment block, but run in their data dir; the mocks run in the
 * repo root), so a reused pid is never signalled. Linux (/proc) only.
 */
async function stopUnrecorded(runDir: string): Promise<void> {
  let files: string[];
  let root: string;
  try {
    files = readdirSync(runDir).filter((f) => f.endsWith('.pid'));
    root = realpathSync(runDir);
  } catch {
    return; // no run directory: nothing was launched
  }
  await Promise.all(
    files.map(async (file) => {
      const pid = Number(readFileSync(join(runDir, file), 'utf8').trim());
      if (!pid || !isAlive(pid)) return;
      let ours: boolean;
      try {
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        ours = cwd === root || cwd.startsWith(`${root}/`) || readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${RUN_DIR_VAR}=${runDir}`);
      } catch {
        return; // cannot verify it is ours: leave it
      }
      if (ours) await stopProcessGroup(pid, 'SIGTERM');
    }),
  );
}

/** Stops a recorded process group unless its pid now belongs to another process. */
export async function stopRecorded(record: ProcessRecord, signal: NodeJS.Signals = record.stopSignal): Promise<void> {
  if (!isAlive(record.pid)) return;
  const startTime = startTimeOf(record.pid);
  if (record.startTime && startTime && startTime !== record.startTime) return; // the pid now belongs to someone else
  await stopProcessGroup(record.pid, signal, signal === 'SIGKILL' ? 0 : 3000);
}

/** The recorded process, if it is still the one we started (not a later process that reused its pid). */
function ours(record: ProcessRecord): boolean {
  if (!isAlive(record.pid)) return false;
  const startTime = startTimeOf(record.pid);
  return !record.startTime || !startTime || startTime === record.startTime;
}
