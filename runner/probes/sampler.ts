import { setMaxListeners } from 'node:events';
import type { Environment } from '../../env/environment.ts';
import { phaseOf } from '../analysis.ts';
import type { ScheduledPhase } from '../scenario.ts';
import type { ProbeGap, ProbePoint, ProbeSeries } from './series.ts';
import type { MetricKind, OpenProbe, PlannedProbe } from './source.ts';

/** What the sampler saw: every series, the gaps, and the settings sources reported. */
export interface ProbeData {
  intervalMs: number;
  series: ProbeSeries[];
  gaps: ProbeGap[];
  /** Per group: settings seen (Redis maxmemory-policy, Postgres max_connections, the endpoint probed). */
  facts: Record<string, Record<string, string>>;
  /** The groups sampled, with their source. */
  groups: Array<{ group: string; source: string }>;
  /** Ticks taken. */
  ticks: number;
}

export interface SamplerOptions {
  environment: Environment;
  /** The run's time origin (epoch ms): points are stamped in ms since it. */
  originMs: number;
  phases: ScheduledPhase[];
  intervalMs: number;
  /** How long one source may take to answer one tick; default 90 % of the interval (at most 2 s). */
  timeoutMs?: number;
}

interface Slot {
  planned: PlannedProbe;
  probe?: OpenProbe;
  opening?: Promise<void>;
  busy: boolean;
  gap?: ProbeGap;
}

/**
 * Samples every planned probe once per interval on the run's time axis: the first tick one
 * interval before the origin (it only sets the counters' baselines), then at origin + k ×
 * interval until stop(). A source that fails, is slow or is still answering the previous
 * tick leaves a gap; nothing it does can stop the run.
 */
export class ProbeSampler {
  private readonly slots: Slot[];
  private readonly series = new Map<string, ProbeSeries>();
  private readonly gaps: ProbeGap[] = [];
  private timer?: NodeJS.Timeout;
  private tickNo = 0;
  private ticks = 0;
  private inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    planned: PlannedProbe[],
    private readonly options: SamplerOptions,
  ) {
    this.slots = planned.map((p) => ({ planned: p, busy: false }));
  }

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const { originMs, intervalMs } = this.options;
    // Tick k is at origin + (k - 1) × interval; a late timer skips to the next due tick.
    const now = Date.now();
    this.tickNo = Math.max(this.tickNo, Math.floor((now - originMs) / intervalMs) + 1);
    const due = originMs + (this.tickNo - 1) * intervalMs;
    this.timer = setTimeout(() => {
      const tMs = due - originMs;
      this.tickNo++;
      this.tick(tMs);
      this.schedule();
    }, Math.max(0, due - now));
  }

  /** One tick now, at `tMs` on the run's axis (the bench and tests call it directly). */
  tick(tMs: number): Promise<void> {
    this.ticks++;
    const timeoutMs = this.options.timeoutMs ?? Math.min(2000, Math.round(this.options.intervalMs * 0.9));
    // One deadline for the whole tick (an AbortSignal.timeout per source costs more than some sources do).
    const deadline = new AbortController();
    setMaxListeners(4 * this.slots.length + 10, deadline.signal); // every source listens to it (and so does its race)
    const timer = setTimeout(() => deadline.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const all = this.slots.map((slot) => this.sampleSlot(slot, tMs, timeoutMs, deadline.signal));
    const tracked: Promise<void> = Promise.all(all)
      .then(() => clearTimeout(timer))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }

  private async sampleSlot(slot: Slot, tMs: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (slot.busy) return this.gap(slot, tMs, 'still answering the previous tick');
    slot.busy = true;
    try {
      if (!slot.probe) {
        slot.opening ??= Promise.resolve(slot.planned.open(this.options.environment)).then((p) => {
          slot.probe = p;
        });
        await slot.opening.finally(() => (slot.opening = undefined));
      }
      const readings = await race(slot.probe!.sample(signal), signal, timeoutMs);
      if (slot.gap) slot.gap = undefined;
      if (tMs < 0) return; // the baseline tick: counters only
      const phase = phaseOf(this.options.phases, Math.max(0, tMs - this.options.intervalMs / 2));
      for (const r of readings) {
        const labels = r.labels ?? {};
        const key = `${slot.planned.group}\u0000${r.metric}\u0000${JSON.stringify(labels)}`;
        let series = this.series.get(key);
        if (!series) {
          const info = slot.planned.metrics[r.metric];
          const kind: MetricKind = info?.kind ?? (r.d !== undefined ? 'ratio' : r.n !== undefined ? 'counter' : 'gauge');
          series = { group: slot.planned.group, source: slot.planned.source, metric: r.metric, labels, kind, unit: info?.unit ?? (kind === 'counter' ? '/s' : ''), points: [] };
          this.series.set(key, series);
        }
        const point: ProbePoint = { tMs, phase, v: r.value };
        if (r.n !== undefined) point.n = r.n;
        if (r.d !== undefined) point.d = r.d;
        series.points.push(point);
      }
    } catch (error) {
      if (tMs >= 0) this.gap(slot, tMs, (error as Error).message);
    } finally {
      slot.busy = false;
    }
  }

  private gap(slot: Slot, tMs: number, error: string): void {
    if (tMs < 0) return;
    const open = slot.gap;
    if (open && open.error === error) {
      open.toMs = tMs;
      open.ticks++;
      return;
    }
    slot.gap = { group: slot.planned.group, source: slot.planned.source, fromMs: tMs, toMs: tMs, ticks: 1, error: error.slice(0, 200) };
    this.gaps.push(slot.gap);
  }

  /** Stops ticking, waits for answers under way, closes every source, and hands over what was seen. */
  async stop(): Promise<ProbeData> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([...this.inFlight]);
    const facts: Record<string, Record<string, string>> = {};
    for (const slot of this.slots) {
      const f = slot.probe?.facts?.();
      if (f && Object.keys(f).length) facts[slot.planned.group] = { ...facts[slot.planned.group], ...f };
      await Promise.resolve(slot.probe?.close?.()).catch(() => {});
    }
    return {
      intervalMs: this.options.intervalMs,
      series: [...this.series.values()],
      gaps: this.gaps,
      facts,
      groups: this.slots.map((s) => ({ group: s.planned.group, source: s.planned.source })),
      ticks: this.ticks,
    };
  }

  /** The series so far (the steady-state gate reads them while the load runs). */
  get current(): ProbeSeries[] {
    return [...this.series.values()];
  }
}

/** A source's answer, or a rejection when the deadline passes first (a source that ignores its signal cannot hold a tick). */
function race<T>(promise: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`no answer within ${timeoutMs} ms`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
