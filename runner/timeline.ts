import { type AppliedFault, type FaultContext, type FaultPreset, presets as allPresets } from '../toxics/index.ts';
import type { TimelineEvent } from './result.ts';
import type { ScheduledFault } from './scenario.ts';

export interface TimelineOptions {
  ctx: FaultContext;
  /** Epoch ms of t = 0, shared with k6. */
  originMs: number;
  log?: (line: string) => void;
  presets?: Record<string, FaultPreset>;
  now?: () => number;
  /** Told before a fault is applied and after it is reverted, so the environment's state can say what is in force. */
  record?: { applying(fault: ScheduledFault): Promise<void>; reverted(name: string): Promise<void> };
}

/**
 * Plays a fault timeline against the environment: applies each fault at its offset from
 * the shared time origin, reverts it when its duration is up, records the actual times,
 * and — whatever happens — reverts everything still applied on `finish()`.
 */
export class TimelineExecutor implements AsyncDisposable {
  readonly events: TimelineEvent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly applied = new Map<string, { fault: ScheduledFault; handle: AppliedFault }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly presets: Record<string, FaultPreset>;
  private readonly now: () => number;
  private finished?: Promise<void>;

  constructor(private readonly options: TimelineOptions) {
    this.presets = options.presets ?? allPresets;
    this.now = options.now ?? Date.now;
  }

  /** Schedules every fault. Call once, right when k6 is started with the same origin. */
  start(faults: ScheduledFault[]): void {
    for (const fault of faults) {
      const applying = this.at(fault.atMs, () => this.apply(fault));
      if (fault.durationMs !== undefined) {
        const endMs = fault.atMs + fault.durationMs;
        // The revert waits for its apply, however late that finished.
        this.at(endMs, async () => {
          await applying;
          await this.revert(fault.name, endMs);
        });
      }
    }
  }

  /** Names of the faults applied right now. */
  active(): string[] {
    return [...this.applied.keys()];
  }

  /** Stops scheduling and reverts everything still applied (rollbacks). Idempotent; never throws. */
  finish(): Promise<void> {
    this.finished ??= (async () => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      // Let an apply that is under way land, so its revert is not missed.
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      const endMs = this.now() - this.options.originMs;
      for (const name of [...this.applied.keys()].reverse()) await this.revert(name, endMs);
      // A failed revert stays in `applied`: one more try, then it is reported.
      for (const name of [...this.applied.keys()].reverse()) await this.revert(name, endMs);
    })();
    return this.finished;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.finish();
  }

  private at(offsetMs: number, action: () => Promise<void>): Promise<void> {
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        const running = action().finally(() => {
          this.inFlight.delete(running);
          settle();
        });
        this.inFlight.add(running);
      },
      Math.max(0, this.options.originMs + offsetMs - this.now()),
    );
    this.timers.add(timer);
    return done;
  }

  private async apply(fault: ScheduledFault): Promise<void> {
    const preset = this.presets[fault.fault]!;
    const event: TimelineEvent = { fault: fault.name, layer: preset.layer, target: fault.target, action: 'apply', scheduledMs: fault.atMs, actualMs: 0, ok: true };
    event.issuedMs = this.now() - this.options.originMs;
    try {
      await this.options.record?.applying(fault);
      const handle = await preset.apply(this.options.ctx, fault.target, fault.params, { durationMs: fault.durationMs });
      this.applied.set(fault.name, { fault, handle });
    } catch (error) {
      event.ok = false;
      event.error = (error as Error).message;
    }
    event.actualMs = this.now() - this.options.originMs;
    this.events.push(event);
    this.options.log?.(`${event.ok ? 'applied' : 'FAILED to apply'} ${fault.name} at ${event.actualMs} ms${event.error ? `: ${event.error}` : ''}`);
  }

  private async revert(name: string, scheduledMs: number): Promise<void> {
    const entry = this.applied.get(name);
    if (!entry) return;
    const preset = this.presets[entry.fault.fault]!;
    const event: TimelineEvent = { fault: name, layer: preset.layer, target: entry.fault.target, action: 'revert', scheduledMs, actualMs: 0, ok: true };
    event.issuedMs = this.now() - this.options.originMs;
    try {
      await entry.handle.revert();
      this.applied.delete(name);
      await this.options.record?.reverted(name);
    } catch (error) {
      event.ok = false;
      event.error = (error as Error).message;
    }
    event.actualMs = this.now() - this.options.originMs;
    this.events.push(event);
    this.options.log?.(`${event.ok ? 'reverted' : 'FAILED to revert'} ${name} at ${event.actualMs} ms${event.error ? `: ${event.error}` : ''}`);
  }
}

/** Lateness of each successful apply (actual − scheduled, ms): the timeline's precision. */
export function applyLateness(events: TimelineEvent[]): number[] {
  return events.filter((e) => e.action === 'apply' && e.ok).map((e) => e.actualMs - e.scheduledMs);
}
