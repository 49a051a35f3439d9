import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../lib/processes.ts';
import { isListening } from '../../env/ports.ts';
import { MEMORY_DIR, memoryRunName } from '../../env/run-dir.ts';
import type { EnvironmentState } from '../../env/state.ts';

/**
 * Live processes (not zombies) whose environment contains `NAME=value`, or whose working
 * directory is inside `dir`: every descendant of a CLI run we tagged. (redis-server
 * overwrites its environ block when it sets its process title, but it chdirs into its data dir.)
 */
export function processesWithEnv(name: string, value: string, dir?: string): number[] {
  const needle = `${name}=${value}`;
  return livePids().filter((pid) => {
    try {
      if (dir && under(readlinkSync(`/proc/${pid}/cwd`), dir)) return true;
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle);
    } catch {
      return false;
    }
  });
}

/** Live members of process group `pgid` (services run as group leaders; postgres has children). */
export function groupMembers(pgid: number): number[] {
  return livePids().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
    } catch {
      return false;
    }
  });
}

function livePids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && isAlive(pid));
}

/** Every pid and port an environment's state file records: its processes, their ports and proxy ports. */
export function recordedResources(state: EnvironmentState): { pids: number[]; ports: number[] } {
  const records = [state.toxiproxy, ...Object.values(state.services)];
  return {
    pids: records.flatMap((r) => (r.process ? [r.process.pid] : [])),
    ports: records.flatMap((r) => [r.port, r.proxyPort, ...(r.endpoints ?? []).map((e) => e.proxyPort)].filter((p): p is number => !!p)),
  };
}

/** What is still running or listening of those resources: empty lists mean everything is gone. */
export async function leftovers({ pids, ports }: { pids: number[]; ports: number[] }): Promise<{ processes: number[]; ports: number[] }> {
  const listening = await Promise.all(ports.map(async (port) => ((await isListening(port)) ? [port] : [])));
  return { processes: pids.flatMap(groupMembers), ports: listening.flat() };
}

/** "pid ppid command line" of a process, for readable failures. */
export function describeProcess(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return `${pid} ppid=${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]} ${cmdline}`;
  } catch {
    return `${pid} (gone)`;
  }
}

/** The parent pid of a live process, or undefined. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * A working directory inside `dir`, or inside the folder in memory of a state directory
 * inside `dir` (named by env/run-dir.ts after the state directory's path), where the
 * services' data lives when /dev/shm has room.
 */
function under(cwd: string, dir: string): boolean {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    /* gone already: its path as given */
  }
  const memory = `${join(MEMORY_DIR, memoryRunName(real))}_`;
  return [`${dir}/`, `${real}/`, memory].some((prefix) => `${cwd}/`.startsWith(prefix));
}
