import type { PhaseResult, RecoveryResult, SeriesPoint, ThresholdResult, TimelineEvent } from './result.ts';
import type { Sample, Samples } from './points.ts';
import type { ScheduledFault, ScheduledPhase } from './scenario.ts';

/** Linear-interpolated percentile (as k6 computes trends). 0 for no values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

const sortedValues = (samples: Sample[]) => samples.map((s) => s.value).sort((a, b) => a - b);
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

function errorRate(failed: Sample[]): number {
  return failed.length === 0 ? 0 : failed.reduce((sum, s) => sum + s.value, 0) / failed.length;
}

/** Requests, error rate, req/s and latency per phase, from the phase tag k6 put on each sample. */
export function phaseMetrics(samples: Samples, phases: ScheduledPhase[]): PhaseResult[] {
  return phases.map((phase) => {
    const durations = samples.duration.filter((s) => s.phase === phase.name);
    const failed = samples.failed.filter((s) => s.phase === phase.name);
    const tokens = samples.firstToken.filter((s) => s.phase === phase.name);
    const sorted = sortedValues(durations);
    const seconds = Math.max(0.001, (phase.endMs - phase.startMs) / 1000);
    const result: PhaseResult = {
      name: phase.name,
      startMs: phase.startMs,
      endMs: phase.endMs,
      requests: durations.length,
      errorRate: round(errorRate(failed), 4),
      rps: round(durations.length / seconds, 2),
      latency: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? 0),
      },
    };
    if (tokens.length > 0) {
      const t = sortedValues(tokens);
      result.firstToken = { p50: round(percentile(t, 50)), p95: round(percentile(t, 95)) };
    }
    return result;
  });
}

/** The run in fixed buckets (by request start), for the charts. */
export function timeSeries(samples: Samples, phases: ScheduledPhase[], durationMs: number, bucketMs = 1000): SeriesPoint[] {
  // reduce, not Math.max(...): a distributed run has more samples than a call can take arguments.
  const end = samples.duration.reduce((max, s) => Math.max(max, s.tMs + 1), durationMs);
  const series: SeriesPoint[] = [];
  for (let t = 0; t < end; t += bucketMs) {
    const inBucket = (s: Sample) => s.tMs >= t && s.tMs < t + bucketMs;
    const durations = sortedValues(samples.duration.filter(inBucket));
    const failed = samples.failed.filter(inBucket);
    // A last bucket the run covers only in part (the load ended inside it) counts over the part it covers: no fake collapse in req/s.
    const covered = t + bucketMs > durationMs && t < durationMs ? Math.max(durationMs - t, bucketMs / 4) : bucketMs;
    series.push({
      tMs: t,
      phase: phaseOf(phases, t),
      rps: round(durations.length / (covered / 1000), 2),
      errorRate: round(errorRate(failed), 4),
      p50: round(percentile(durations, 50)),
      p95: round(percentile(durations, 95)),
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
export function recoveryTimes(samples: Samples, timeline: TimelineEvent[], faults: ScheduledFault[], runEndMs: number, options: RecoveryOptions): RecoveryResult[] {
  const windowMs = options.windowMs ?? 1000;
  const stepMs = options.stepMs ?? 250;
  const base = samples.duration.filter((s) => s.phase === options.baselinePhase);
  const baseP95 = percentile(sortedValues(base), 95);
  const maxError = errorRate(samples.failed.filter((s) => s.phase === options.baselinePhase)) + options.errorRateMargin;
  // A fast baseline (a few ms) would make 1.5× meaningless noise: allow at least +50 ms.
  const maxP95 = Math.max(baseP95 * options.p95Factor, baseP95 + 50);
  const lastStart = samples.duration.reduce((max, s) => Math.max(max, s.tMs), 0);

  const judge = (from: number): 'good' | 'bad' | 'empty' => {
    const inWindow = (s: Sample) => s.tMs >= from && s.tMs < from + windowMs;
    const durations = samples.duration.filter(inWindow);
    if (durations.length === 0) return 'empty';
    const within = errorRate(samples.failed.filter(inWindow)) <= maxError && percentile(sortedValues(durations), 95) <= maxP95;
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
