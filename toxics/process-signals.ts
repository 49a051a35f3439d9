import { FaultError, type FaultContext } from './fault.ts';

/** The recorded pid of a service's process group leader. */
export function pidOf(ctx: FaultContext, target: string): number {
  const pid = ctx.pids[target];
  if (ctx.containers?.[target]) throw new FaultError(`${target} runs in a container: of the process faults only "pause" works there (docker pause); use the local runtime for the others`);
  if (!pid) throw new FaultError(`process faults need the pid of "${target}", which the environment does not record (known: ${Object.keys(ctx.pids).join(', ')})`);
  return pid;
}

/** Signals the whole process group (services are detached group leaders), or the process alone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    process.kill(pid, signal);
  }
}
