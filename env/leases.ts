import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FaultlineError } from '../lib/errors.ts';
import { writeJsonAtomic } from '../lib/files.ts';
import { isAlive, startTimeOf, stopProcessGroup } from '../lib/processes.ts';
import { acquireLock } from './state.ts';

/** A fault a run has applied (recorded before it takes effect), so another process can tell and undo it. */
export interface RecordedFault {
  name: string;
  fault: string;
  target: string;
  appliedAt: string;
}

/**
 * A run's hold on an environment (`runs.json` beside env.json): who it is, what it loads
 * the environment with (its k6) and which faults it has in force. A lease whose holder is
 * gone was left by a killed run: its k6 is stopped and its faults undone before anyone
 * uses the environment again.
 */
export interface Lease {
  id: string;
  pid: number;
  /** The holder's start time from /proc, so a reused pid is never taken for it. */
  startTime?: string;
  startedAt: string;
  /** What the run is, for messages ("scenario rpc-throttle (smoke)"). */
  what: string;
  runDir?: string;
  k6?: { pid: number; startTime?: string };
  faults: RecordedFault[];
}

const leasesFile = (stateDir: string) => join(stateDir, 'runs.json');

export function readLeases(stateDir: string): Lease[] {
  try {
    return JSON.parse(readFileSync(leasesFile(stateDir), 'utf8')) as Lease[];
  } catch {
    return [];
  }
}

function writeLeases(stateDir: string, leases: Lease[]): void {
  if (leases.length === 0) return void rmSync(leasesFile(stateDir), { force: true });
  writeJsonAtomic(leasesFile(stateDir), leases, 0o600);
}

/** True while the lease's holder is the process that took it. */
export function holderAlive(lease: Pick<Lease, 'pid' | 'startTime'>): boolean {
  if (!isAlive(lease.pid)) return false;
  const now = startTimeOf(lease.pid);
  return !lease.startTime || !now || now === lease.startTime;
}

/** Another run holds the environment: running both would mix their load, faults and invariants. */
export class EnvironmentBusyError extends FaultlineError {
  constructor(stateDir: string, holder: Lease, what = "wait for it to finish, or give this run its own environment (another `stateDir`)") {
    super(
      `The environment in ${stateDir} is in use by another run (pid ${holder.pid}: ${holder.what}, since ${holder.startedAt}). ` +
        `Two runs on one environment would disturb each other's faults and invariants: ${what}.`,
    );
  }
}

/** What a dead run had left behind, for the caller to undo and report. */
export interface Leftovers {
  leases: Lease[];
  /** Faults of dead runs that were still applied. */
  faults: RecordedFault[];
}

/**
 * Removes the leases of runs that are gone, stopping their k6 (it would load the
 * environment for up to its whole duration), and returns what they left applied.
 */
export async function pruneDeadLeases(stateDir: string): Promise<Leftovers> {
  const release = await acquireLock(stateDir);
  try {
    const leases = readLeases(stateDir);
    const dead = leases.filter((l) => !holderAlive(l));
    for (const lease of dead) if (lease.k6 && holderAlive(lease.k6)) await stopProcessGroup(lease.k6.pid, 'SIGKILL', 0);
    writeLeases(stateDir, leases.filter((l) => !dead.includes(l)));
    return { leases: dead, faults: dead.flatMap((l) => l.faults) };
  } finally {
    release();
  }
}

/** A lease this process holds: record its k6 and its faults, and release it at the end. */
export interface HeldLease {
  readonly id: string;
  update(change: (lease: Lease) => void): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the environment for one run, refusing (EnvironmentBusyError) while another live
 * run holds it. Call pruneDeadLeases first, so a dead run's lease does not count.
 */
export async function takeLease(stateDir: string, what: string, runDir?: string): Promise<HeldLease> {
  const id = `${process.pid}-${Date.now()}`;
  const release = await acquireLock(stateDir);
  try {
    const leases = readLeases(stateDir);
    const holder = leases.find((l) => holderAlive(l) && l.pid !== process.pid);
    if (holder) throw new EnvironmentBusyError(stateDir, holder);
    writeLeases(stateDir, [...leases, { id, pid: process.pid, startTime: startTimeOf(process.pid), startedAt: new Date().toISOString(), what, runDir, faults: [] }]);
  } finally {
    release();
  }
  const change = async (edit: (leases: Lease[]) => Lease[]) => {
    const unlock = await acquireLock(stateDir);
    try {
      writeLeases(stateDir, edit(readLeases(stateDir)));
    } finally {
      unlock();
    }
  };
  return {
    id,
    update: (apply) => change((leases) => leases.map((l) => (l.id === id ? (apply(l), l) : l))),
    release: () => change((leases) => leases.filter((l) => l.id !== id)),
  };
}
