import type { PhaseResult, RecoveryResult, SeriesPoint, ThresholdResult, TimelineEvent } from './result.ts';
import type { RequestStats, Selection } from './request-stats.ts';
import type { ScheduledFault, ScheduledPhase } from './scenario.ts';

/** Linear-interpolated percentile (as k6 computes trends). 0 for no values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Mean of the failed samples (0/1): the error rate. */
function errorRate(failed: Selection): number {
  return failed.values.count === 0 ? 0 : failed.values.sum / failed.values.count;
}

/** Requests, error rate, req/s and latency per phase, from the phase tag k6 put on each sample. */
export function phaseMetrics(stats: RequestStats, phases: ScheduledPhase[]): PhaseResult[] {
  return phases.map((phase) => {
    const durations = stats.select('duration', { phase: phase.name }).values;
    const failed = stats.select('failed', { phase: phase.name });
    const tokens = stats.select('firstToken', { phase: phase.name }).values;
    const seconds = Math.max(0.001, (phase.endMs - phase.startMs) / 1000);
    const result: PhaseResult = {
      name: phase.name,
      startMs: phase.startMs,
      endMs: phase.endMs,
      requests: durations.count,
      errorRate: round(errorRate(failed), 4),
      rps: round(durations.count / seconds, 2),
      latency: {
        p50: round(durations.quantile(50)),
        p95: round(durations.quantile(95)),
        p99: round(durations.quantile(99)),
        max: round(durations.count ? durations.max : 0),
      },
    };
    if (tokens.count > 0) result.firstToken = { p50: round(tokens.quantile(50)), p95: round(tokens.quantile(95)) };
    return result;
  });
}

/** The run in fixed buckets (by request start), for the charts. */
export function timeSeries(stats: RequestStats, phases: ScheduledPhase[], durationMs: number, bucketMs = 1000): SeriesPoint[] {
  const end = Math.max(durationMs, (stats.lastStartMs ?? Number.NEGATIVE_INFINITY) + 1);
  const series: SeriesPoint[] = [];
  for (let t = 0; t < end; t += bucketMs) {
    const durations = stats.select('duration', { fromMs: t, toMs: t + bucketMs }).values;
    const failed = stats.select('failed', { fromMs: t, toMs: t + bucketMs });
    // A last bucket the run covers only in part (the load ended inside it) counts over the part it covers: no fake collapse in req/s.
    const covered = t + bucketMs > durationMs && t < durationMs ? Math.max(durationMs - t, bucketMs / 4) : bucketMs;
    series.push({
      tMs: t,
      phase: phaseOf(phases, t),
      rps: round(durations.count / (covered / 1000), 2),
      errorRate: round(errorRate(failed), 4),
      p50: round(durations.quantile(50)),
      p95: round(durations.quantile(95)),
    });
  }
  return series;
}

export function phaseOf(phases: ScheduledPhase[], tMs: number): string {
  return (phases.find((p) => tMs < p.endMs) ?? phases.at(-1)!).name;
}

export interface RecoveryOptions {
  boundMs?: number;
  baselinePhase: string;
  errorRateMargin: number;
  p95Factor: number;
  /** Width of the window judged at each step, and the step. */
  windowMs?: number;
  stepMs?: number;
}

/**
 * For each fault reverted during the load: how long after the revert until requests were
 * back within the baseline's bounds (error rate ≤ baseline + margin, p95 ≤ baseline ×
 * factor), judged on sliding windows of requests by start time. Recovered at the first
 * window that is within bounds and is followed by another one that is (or by no traffic).
 */
export function recoveryTimes(stats: RequestStats, timeline: TimelineEvent[], faults: ScheduledFault[], runEndMs: number, options: RecoveryOptions): RecoveryResult[] {
  const windowMs = options.windowMs ?? 1000;
  const stepMs = options.stepMs ?? 250;
  const baseP95 = stats.select('duration', { phase: options.baselinePhase }).values.quantile(95);
  const maxError = errorRate(stats.select('failed', { phase: options.baselinePhase })) + options.errorRateMargin;
  // A fast baseline (a few ms) would make 1.5× meaningless noise: allow at least +50 ms.
  const maxP95 = Math.max(baseP95 * options.p95Factor, baseP95 + 50);
  const lastStart = Math.max(0, stats.lastStartMs ?? 0);

  const judge = (from: number): 'good' | 'bad' | 'empty' => {
    const window = { fromMs: from, toMs: from + windowMs };
    const durations = stats.select('duration', window).values;
    if (durations.count === 0) return 'empty';
    const within = errorRate(stats.select('failed', window)) <= maxError && durations.quantile(95) <= maxP95;
    return within ? 'good' : 'bad';
  };

  // Overlapping faults are one incident: recovery is measured after the last of them is reverted.
  const windows = faults.map((f) => {
    const applied = timeline.find((e) => e.fault === f.name && e.action === 'apply' && e.ok);
    const reverted = timeline.find((e) => e.fault === f.name && e.action === 'revert' && e.ok);
    return { name: f.name, from: applied?.actualMs ?? f.atMs, to: reverted?.actualMs ?? Number.POSITIVE_INFINITY };
  });
  const results: RecoveryResult[] = [];
  for (const fault of faults) {
    if (fault.durationMs === undefined || fault.atMs + fault.durationMs >= runEndMs) continue; // reverted only at the end: nothing to recover within the run
    const revert = timeline.find((e) => e.fault === fault.name && e.action === 'revert' && e.ok);
    if (!revert) {
      results.push({ fault: fault.name, revertedAtMs: fault.atMs + fault.durationMs, boundMs: options.boundMs, ok: false });
      continue;
    }
    // Another fault still holds, or takes over straight away (back-to-back phases): the incident goes on.
    if (windows.some((w) => w.name !== fault.name && w.from < revert.actualMs + windowMs && w.to > revert.actualMs)) continue;
    // The next fault starts a new incident: recovery must show before it.
    const nextApply = Math.min(...windows.filter((w) => w.from > revert.actualMs).map((w) => w.from));
    let recoveredAfterMs: number | undefined;
    for (let from = revert.actualMs; from <= lastStart && from + windowMs <= nextApply; from += stepMs) {
      if (judge(from) !== 'good') continue;
      if (from + 2 * windowMs > nextApply || judge(from + windowMs) !== 'bad') {
        recoveredAfterMs = from - revert.actualMs;
        break;
      }
    }
    const ok = recoveredAfterMs !== undefined && (options.boundMs === undefined || recoveredAfterMs <= options.boundMs);
    results.push({ fault: fault.name, revertedAtMs: revert.actualMs, recoveredAfterMs, boundMs: options.boundMs, ok });
  }
  return results;
}

/** k6's `--summary-export` file: per metric (and submetric) its values and `thresholds: { expr: failed }`. */
export interface K6SummaryExport {
  metrics: Record<string, Record<string, unknown> & { thresholds?: Record<string, boolean> }>;
}

/** One ThresholdResult per expression, with the observed value the expression was checked against. */
export function thresholdResults(summary: K6SummaryExport | undefined, thresholds: Record<string, string[]>): ThresholdResult[] {
  const judged = (metric: string, expression: string, source?: 'script'): ThresholdResult => {
    const values = summary?.metrics[metric];
    const aggregate = /^\s*([a-z]+(\(\d+(\.\d+)?\))?)/.exec(expression)?.[1] ?? '';
    const observedRaw = values?.[aggregate === 'rate' && !('rate' in (values ?? {})) ? 'value' : aggregate] ?? (aggregate === 'value' ? values?.value : undefined);
    // No samples for a metric means k6 never judged it: that is not a pass we can vouch for.
    const ok = values?.thresholds?.[expression] === false;
    return { metric, expression, observed: typeof observedRaw === 'number' ? round(observedRaw, 4) : undefined, ok, ...(source ? { source } : {}) };
  };
  const results = Object.entries(thresholds).flatMap(([metric, expressions]) => expressions.map((e) => judged(metric, e)));
  // Thresholds the script declared itself (an existing k6 script's own options): judged by k6 too.
  for (const [metric, values] of Object.entries(summary?.metrics ?? {})) {
    for (const expression of Object.keys(values.thresholds ?? {})) if (!thresholds[metric]?.includes(expression)) results.push(judged(metric, expression, 'script'));
  }
  return results;
}
