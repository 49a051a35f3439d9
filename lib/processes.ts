import { readFileSync } from 'node:fs';

/** Process helpers shared by the local runtime, the state lock and the process faults. Linux /proc where it helps. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

/** Signals the whole process group (services are detached group leaders), else the process alone; a gone process is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
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

async function waitUntilDead(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(10);
}
