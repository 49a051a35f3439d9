import type { Sample } from './points.ts';
import { QuantileSketch } from './sketch.ts';

/** The per-request k6 metrics the runner judges. */
export type Metric = 'duration' | 'failed' | 'firstToken';
const METRICS: Metric[] = ['duration', 'failed', 'firstToken'];

/** Width of a time cell (by request start): the charts' 1 s buckets and recovery's 250 ms steps are made of them. */
export const CELL_MS = 250;
/** Requests a cell keeps raw (their start and value) before it folds them into a sketch. */
export const EXACT_PER_CELL = 64;

/** What a window of requests adds up to: their values (a sketch with count, sum, min, max) and, for durations, their outcomes. */
export interface Selection {
  values: QuantileSketch;
  /** Requests by k6's `status` and `error_code` tags. */
  outcomes: Array<{ status?: string; errorCode?: string; count: number }>;
}

/** One metric in one cell: a sketch, plus each request's start and outcome while the sketch is exact. */
class Track {
  readonly sketch = new QuantileSketch(EXACT_PER_CELL);
  t: number[] | undefined = [];
  codes: number[] | undefined = [];
  readonly codeCounts = new Map<number, number>();

  add(tMs: number, value: number, code: number): void {
    this.sketch.add(value);
    if (code >= 0) this.codeCounts.set(code, (this.codeCounts.get(code) ?? 0) + 1);
    if (!this.t) return;
    if (this.sketch.isExact) {
      this.t.push(tMs);
      this.codes!.push(code);
    } else {
      this.t = undefined;
      this.codes = undefined;
    }
  }
}

type Cell = Partial<Record<Metric, Track>>;

/**
 * The per-request samples of a run, aggregated as they are read: per phase tag and 250 ms
 * cell of request start, a quantile sketch per metric (runner/sketch.ts). Memory grows with
 * the run's length, not with its request count. Every answer is exact while no cell holds
 * more than EXACT_PER_CELL requests; past that a percentile is within the sketch's relative
 * error, and a window whose edge cuts a cell takes that cell whole when it covers at least
 * half of it (so window edges are good to CELL_MS / 2).
 */
export class RequestStats {
  /** cell index (start / CELL_MS) → phase → cell. */
  private readonly cells = new Map<number, Map<string, Cell>>();
  private readonly totals: Record<Metric, number> = { duration: 0, failed: 0, firstToken: 0 };
  private readonly outcomesByPhase = new Map<string, Map<number, number>>();
  /** Per phase: the earliest end of a failed request (−∞ for one whose duration sample did not come with it). */
  private readonly firstFailureEnd = new Map<string, number>();
  private readonly codeKeys: string[] = [];
  private readonly codeIndex = new Map<string, number>();
  private minStart = Number.POSITIVE_INFINITY;
  private maxStart = Number.NEGATIVE_INFINITY;
  private maxEnd = Number.NEGATIVE_INFINITY;
  /** Subtracted from the stored times (analyse moves the axis to the first request's start). */
  private origin = 0;

  /** Adds one sample; a failed one with the end of its request when its duration sample came with it. */
  add(metric: Metric, s: Sample, pairedEndMs?: number): void {
    const t = s.tMs + this.origin;
    const index = Math.floor(t / CELL_MS);
    let byPhase = this.cells.get(index);
    if (!byPhase) this.cells.set(index, (byPhase = new Map()));
    let cell = byPhase.get(s.phase);
    if (!cell) byPhase.set(s.phase, (cell = {}));
    const track = (cell[metric] ??= new Track());
    this.totals[metric]++;
    let code = -1;
    if (metric === 'duration') {
      code = this.code(s.status, s.errorCode);
      let outcomes = this.outcomesByPhase.get(s.phase);
      if (!outcomes) this.outcomesByPhase.set(s.phase, (outcomes = new Map()));
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      if (t < this.minStart) this.minStart = t;
      if (t > this.maxStart) this.maxStart = t;
      if (t + s.value > this.maxEnd) this.maxEnd = t + s.value;
    } else if (metric === 'failed' && s.value === 1) {
      const end = pairedEndMs === undefined ? Number.NEGATIVE_INFINITY : pairedEndMs + this.origin;
      if (end < (this.firstFailureEnd.get(s.phase) ?? Number.POSITIVE_INFINITY)) this.firstFailureEnd.set(s.phase, end);
    }
    track.add(t, s.value, code);
  }

  /** How many samples of `metric` were added. */
  count(metric: Metric): number {
    return this.totals[metric];
  }

  /** The earliest and latest request start, and the latest request end; undefined without requests. */
  get firstStartMs(): number | undefined {
    return this.totals.duration ? this.minStart - this.origin : undefined;
  }
  get lastStartMs(): number | undefined {
    return this.totals.duration ? this.maxStart - this.origin : undefined;
  }
  get lastEndMs(): number | undefined {
    return this.totals.duration ? this.maxEnd - this.origin : undefined;
  }

  /** Moves the time axis: every time reads `deltaMs` earlier. */
  shift(deltaMs: number): void {
    this.origin += deltaMs;
  }

  /** Whether a failed request of `phase` ended before `atMs` (one whose end is unknown counts). */
  failedBefore(phase: string, atMs: number): boolean {
    return (this.firstFailureEnd.get(phase) ?? Number.POSITIVE_INFINITY) - this.origin < atMs;
  }

  /** The requests of a phase by k6's `status` and `error_code` tags. */
  outcomes(phase: string): Selection['outcomes'] {
    return [...(this.outcomesByPhase.get(phase) ?? [])].map(([code, count]) => ({ ...this.decode(code), count }));
  }

  /** The samples of `metric` of one phase (by tag), of a window of request starts [fromMs, toMs), or both. */
  select(metric: Metric, where: { phase?: string; fromMs?: number; toMs?: number } = {}): Selection {
    const values = new QuantileSketch(Number.POSITIVE_INFINITY);
    const codes = new Map<number, number>();
    const from = (where.fromMs ?? Number.NEGATIVE_INFINITY) + this.origin;
    const to = (where.toMs ?? Number.POSITIVE_INFINITY) + this.origin;
    const take = (index: number, byPhase: Map<string, Cell>) => {
      const start = index * CELL_MS;
      const overlap = Math.min(to, start + CELL_MS) - Math.max(from, start);
      if (overlap <= 0) return;
      for (const [phase, cell] of byPhase) {
        if (where.phase !== undefined && phase !== where.phase) continue;
        const track = cell[metric];
        if (!track) continue;
        if (overlap < CELL_MS && track.t) {
          // An exact cell cut by the window: its requests one by one.
          const exact = new QuantileSketch(Number.POSITIVE_INFINITY);
          track.t.forEach((t, i) => {
            if (t < from || t >= to) return;
            exact.add(track.sketch.valueAt(i));
            const code = track.codes![i]!;
            if (code >= 0) codes.set(code, (codes.get(code) ?? 0) + 1);
          });
          values.merge(exact);
          continue;
        }
        if (overlap < CELL_MS / 2) continue;
        values.merge(track.sketch);
        for (const [code, n] of track.codeCounts) codes.set(code, (codes.get(code) ?? 0) + n);
      }
    };
    const first = Math.floor(from / CELL_MS);
    const last = Math.floor((to - 1) / CELL_MS);
    if (Number.isFinite(first) && Number.isFinite(last) && last - first < this.cells.size) {
      for (let index = first; index <= last; index++) {
        const byPhase = this.cells.get(index);
        if (byPhase) take(index, byPhase);
      }
    } else {
      for (const [index, byPhase] of this.cells) take(index, byPhase);
    }
    return { values, outcomes: [...codes].map(([code, count]) => ({ ...this.decode(code), count })) };
  }

  /** Adds another run's (or process's) samples, on the same time axis. */
  merge(other: RequestStats): void {
    const recode = (code: number) => (code < 0 ? code : this.code(other.decode(code).status, other.decode(code).errorCode));
    const delta = this.origin - other.origin;
    if (delta !== 0) throw new Error('RequestStats.merge: both must be on the same time axis (merge before shift)');
    for (const [index, byPhase] of other.cells) {
      let mine = this.cells.get(index);
      if (!mine) this.cells.set(index, (mine = new Map()));
      for (const [phase, cell] of byPhase) {
        let target = mine.get(phase);
        if (!target) mine.set(phase, (target = {}));
        for (const metric of METRICS) {
          const track = cell[metric];
          if (!track) continue;
          const into = (target[metric] ??= new Track());
          const bothExact = into.t && track.t;
          into.sketch.merge(track.sketch);
          for (const [code, n] of track.codeCounts) into.codeCounts.set(recode(code), (into.codeCounts.get(recode(code)) ?? 0) + n);
          if (bothExact && into.sketch.isExact) {
            into.t!.push(...track.t!);
            into.codes!.push(...track.codes!.map(recode));
          } else {
            into.t = undefined;
            into.codes = undefined;
          }
        }
      }
    }
    for (const metric of METRICS) this.totals[metric] += other.totals[metric];
    for (const [phase, outcomes] of other.outcomesByPhase) {
      let mine = this.outcomesByPhase.get(phase);
      if (!mine) this.outcomesByPhase.set(phase, (mine = new Map()));
      for (const [code, n] of outcomes) mine.set(recode(code), (mine.get(recode(code)) ?? 0) + n);
    }
    for (const [phase, end] of other.firstFailureEnd) if (end < (this.firstFailureEnd.get(phase) ?? Number.POSITIVE_INFINITY)) this.firstFailureEnd.set(phase, end);
    this.minStart = Math.min(this.minStart, other.minStart);
    this.maxStart = Math.max(this.maxStart, other.maxStart);
    this.maxEnd = Math.max(this.maxEnd, other.maxEnd);
  }

  private code(status: string | undefined, errorCode: string | undefined): number {
    const key = `${status ?? '\u0000'}|${errorCode ?? ''}`;
    let code = this.codeIndex.get(key);
    if (code === undefined) {
      code = this.codeKeys.push(key) - 1;
      this.codeIndex.set(key, code);
    }
    return code;
  }

  private decode(code: number): { status?: string; errorCode?: string } {
    const [status, errorCode] = this.codeKeys[code]!.split('|') as [string, string];
    return { ...(status !== '\u0000' ? { status } : {}), ...(errorCode ? { errorCode } : {}) };
  }
}
