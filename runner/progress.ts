import type { RecentRequests } from './points.ts';

export interface ProgressState {
  elapsedMs: number;
  totalMs: number;
  phase: string;
  activeFaults: string[];
}

/**
 * The live status of a run: one line rewritten in place on a TTY, plain lines (every few
 * seconds and at each phase change) otherwise, e.g. in CI logs.
 */
export class Progress {
  private lastTick = Date.now();
  private lastPlain = 0;
  private lastPhase = '';
  private errors = 0;
  private requests = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean },
    /** The points reader: it hands over the requests that arrived since it was last asked, aggregated. */
    private readonly samples: { takeRecent(): RecentRequests },
    private readonly plainEveryMs = 5000,
  ) {}

  /** Formats the status over the samples that arrived since the previous tick. */
  line(state: ProgressState): string {
    const now = Date.now();
    const recent = this.recent();
    this.errors += recent.errors;
    this.requests += recent.count;
    const seconds = Math.max(0.001, (now - this.lastTick) / 1000);
    this.lastTick = now;
    const p95 = recent.count ? `${Math.round(recent.p95)} ms` : '-';
    const faults = state.activeFaults.length ? state.activeFaults.join(', ') : 'none';
    const rate = this.requests ? ((this.errors / this.requests) * 100).toFixed(1) : '0.0';
    return (
      `${(state.elapsedMs / 1000).toFixed(1).padStart(5)}s/${(state.totalMs / 1000).toFixed(0)}s  phase ${state.phase}  faults: ${faults}  ` +
      `${(recent.count / seconds).toFixed(1)} req/s  errors ${this.errors} (${rate}%)  p95 ${p95}`
    );
  }

  /** The requests since the previous tick: how many, how many failed, their p95. */
  private recent(): { count: number; errors: number; p95: number } {
    const r = this.samples.takeRecent();
    return { count: r.durations.count, errors: r.failed, p95: r.durations.quantile(95) };
  }

  tick(state: ProgressState): void {
    const line = this.line(state);
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (state.phase !== this.lastPhase || now - this.lastPlain >= this.plainEveryMs) {
      this.out.write(`${line}\n`);
      this.lastPlain = now;
      this.lastPhase = state.phase;
    }
  }

  /** Ends the updating line so the next output starts on a fresh one. */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }

  /** A message that must not be overwritten by the updating line. */
  log(message: string): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false; // the next tick draws the line again, below the message
    this.out.write(`${message}\n`);
  }
}
