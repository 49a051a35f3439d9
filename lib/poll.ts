import { FaultlineError } from './errors.ts';
import { sleep } from './processes.ts';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Checked before every attempt: throw to stop waiting at once (the process died). */
  check?: () => void;
}

/** The last reason `attempt` gave before the deadline passed. */
export class PollTimeoutError extends FaultlineError {
  constructor(
    readonly timeoutMs: number,
    readonly lastError: string,
  ) {
    super(`not ready within ${timeoutMs} ms (last attempt: ${lastError})`);
  }
}

/**
 * Calls `attempt` until it resolves, then returns its value: the one wait-until-ready
 * loop (a real probe each time, never a bare sleep). Throws PollTimeoutError with the
 * last failure once `timeoutMs` has passed.
 */
export async function pollUntil<T>(attempt: () => Promise<T>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = 'not tried yet';
  for (;;) {
    options.signal?.throwIfAborted();
    options.check?.();
    try {
      return await attempt();
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) throw new PollTimeoutError(options.timeoutMs, lastError);
    await sleep(options.intervalMs ?? 15);
  }
}
