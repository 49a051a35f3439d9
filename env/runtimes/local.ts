import { spawn } from 'node:child_process';
import { chownSync, closeSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { claimPort, HOST } from '../ports.ts';
import type { LaunchSpec } from '../service.ts';
import { type ProcessRecord, stopDependentsFirst } from '../state.ts';
import type { Runtime } from './runtime.ts';

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
  const log = openSync(logFile, 'a');
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
    const port = await claimPort(definition.name, options.port);
    const spec = await definition.prepare(ctx, options, port);
    signal?.throwIfAborted();
    // Started in its data dir, with a pid file beside it: teardown finds it even if env:up was killed before recording it.
    const process_ = launch({ ...spec, cwd: spec.cwd ?? ctx.dataDir }, logFile, pidFileFor(ctx.dataDir));
    return {
      port,
      upstream: `${HOST}:${port}`,
      record: { process: { pid: process_.pid, command: spec.command, startTime: startTimeOf(process_.pid), stopSignal: spec.stopSignal ?? 'SIGTERM', logFile } },
      exited: process_.exited,
      kill: () => stopProcessGroup(process_.pid, 'SIGKILL', 0),
      readyTimeoutMs: spec.readyTimeoutMs ?? 30_000,
    };
  },

  async proxyAddress(proxy) {
    const port = await claimPort(`${proxy} proxy`);
    return { listen: `${HOST}:${port}`, port };
  },

  async isAlive(record) {
    return record.process ? isAlive(record.process.pid) : false;
  },

  async teardown(state) {
    // Toxiproxy last: apps reach their dependencies through it while they shut down.
    await stopDependentsFirst(state.services, async (r) => (r.process ? stopRecorded(r.process) : undefined));
    if (state.toxiproxy.process) await stopRecorded(state.toxiproxy.process);
    await stopUnrecorded(dirname(state.toxiproxy.dataDir));
  },
};

const pidFileFor = (dataDir: string) => `${dataDir}.pid`;

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
export async function stopRecorded(record: ProcessRecord): Promise<void> {
  if (!isAlive(record.pid)) return;
  const startTime = startTimeOf(record.pid);
  if (record.startTime && startTime && startTime !== record.startTime) return; // the pid now belongs to someone else
  await stopProcessGroup(record.pid, record.stopSignal);
}

/** True if `pid` is a live process (zombies count as gone). */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we have
  }
}

/**
 * When the process started (clock ticks since boot), to tell a recorded pid from a
 * later process that reused it. Undefined where there is no /proc.
 */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Stops a process group: `signal` first, SIGKILL after `graceMs`. Resolves once the
 * leader is gone. Safe to call for a process that already exited.
 */
export async function stopProcessGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signalGroup(pid, 'SIGKILL');
      await waitUntilDead(pid, 2000);
      return;
    }
    await sleep(10);
  }
  // The leader is gone; make sure no stray child of the group lingers.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(10);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
