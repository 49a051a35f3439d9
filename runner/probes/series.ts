import { percentile } from '../analysis.ts';
import type { MetricKind } from './source.ts';

/** One reading on the run's time axis: at `tMs` (ms since the origin), covering the interval before it. */
export interface ProbePoint {
  tMs: number;
  phase: string;
  v: number;
  /** Counter: the increase over the interval. Ratio: the numerator. */
  n?: number;
  /** Ratio: the denominator. */
  d?: number;
}

/** One metric of one group with one label set, over the run. */
export interface ProbeSeries {
  group: string;
  source: string;
  metric: string;
  labels: Record<string, string>;
  kind: MetricKind;
  unit: string;
  points: ProbePoint[];
}

/** Consecutive ticks a source did not answer: recorded, never a crash. */
export interface ProbeGap {
  group: string;
  source: string;
  fromMs: number;
  toMs: number;
  ticks: number;
  error: string;
}

/** Which series a threshold or a chart means: a group's metric, label filters, a phase. */
export interface SeriesSelector {
  group: string;
  metric: string;
  labels: Record<string, string>;
  phase?: string;
}

const matches = (s: ProbeSeries, sel: SeriesSelector) => s.group === sel.group && s.metric === sel.metric && Object.entries(sel.labels).every(([k, v]) => s.labels[k] === v);

/**
 * The selected series as one: points of the same tick added up (gauges and counters:
 * queue_depth over every queue; ratios: Σn / Σd), limited to the phase when one is named.
 */
export function combine(series: ProbeSeries[], sel: SeriesSelector): { kind: MetricKind; points: ProbePoint[] } | undefined {
  const chosen = series.filter((s) => matches(s, sel));
  if (chosen.length === 0) return undefined;
  const kind = chosen[0]!.kind;
  const byTick = new Map<number, ProbePoint>();
  for (const s of chosen) {
    for (const p of s.points) {
      if (sel.phase && p.phase !== sel.phase) continue;
      const at = byTick.get(p.tMs);
      if (!at) byTick.set(p.tMs, { ...p });
      else {
        at.v += p.v;
        if (p.n !== undefined) at.n = (at.n ?? 0) + p.n;
        if (p.d !== undefined) at.d = (at.d ?? 0) + p.d;
      }
    }
  }
  const points = [...byTick.values()].sort((a, b) => a.tMs - b.tMs);
  if (kind === 'ratio') for (const p of points) if (p.d) p.v = p.n! / p.d;
  return { kind, points };
}

/** The aggregates a probe threshold may use. */
export const AGGREGATES = ['avg', 'min', 'max', 'med', 'last', 'first', 'count', 'rate', 'value'] as const;

/**
 * One aggregate over combined points. `count`: a counter's total increase (0 with no
 * points), else how many points; `value` and `rate` (and a bare expression): a ratio's
 * pooled Σn / Σd, else the mean; `p(N)`: percentile of the values.
 */
export function aggregate(kind: MetricKind, points: ProbePoint[], aggregateName: string): number | undefined {
  if (aggregateName === 'count') return kind === 'counter' ? points.reduce((sum, p) => sum + (p.n ?? 0), 0) : points.length;
  if (points.length === 0) return undefined;
  const values = points.map((p) => p.v);
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(aggregateName);
  if (p) return percentile([...values].sort((a, b) => a - b), Number(p[1]));
  switch (aggregateName) {
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'med':
      return percentile([...values].sort((a, b) => a - b), 50);
    case 'last':
      return values.at(-1);
    case 'first':
      return values[0];
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    default: {
      // value / rate / bare
      if (kind === 'ratio') {
        const d = points.reduce((sum, q) => sum + (q.d ?? 0), 0);
        return d > 0 ? points.reduce((sum, q) => sum + (q.n ?? 0), 0) / d : undefined;
      }
      return values.reduce((a, b) => a + b, 0) / values.length;
    }
  }
}
