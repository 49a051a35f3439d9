import { forEachLine } from '../lib/lines.ts';
import type { ThresholdResult } from './result.ts';
import { QuantileSketch } from './sketch.ts';

/** Values of a threshold's metric kept raw before they are folded into the sketch: exact percentiles up to this many. */
const EXACT_VALUES = 100_000;

type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

/** `http_req_duration{phase:fault,status:200}` → the metric and the tags a sample must carry. */
function parseKey(key: string): { metric: string; tags: Array<[string, string]> } {
  const match = /^([^{]+)(?:\{(.*)\})?$/.exec(key.trim())!;
  const tags = (match[2] ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf(':');
      return [pair.slice(0, i).trim(), pair.slice(i + 1).trim()] as [string, string];
    });
  return { metric: match[1]!.trim(), tags };
}

const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|<|>|===|==|!=)\s*(-?\d+(?:\.\d+)?)\s*$/;

/**
 * k6 thresholds judged over k6 `--out json` points gathered from several processes (the
 * pods of a distributed run, each run with `--no-thresholds`), as k6 judges them over one:
 * trends by avg / min / max / med / p(N) (k6's interpolated percentile: exact up to
 * EXACT_VALUES samples, then within the sketch's relative error), rates by the share
 * of non-zero samples, counters by count (and rate per second of the run), gauges by their
 * last value. A threshold whose metric got no sample is not passed: nothing vouches for it.
 */
export function thresholdsFromPoints(files: string[], thresholds: Record<string, string[]>): ThresholdResult[] {
  const keys = Object.keys(thresholds).map((key) => ({ key, ...parseKey(key), values: new QuantileSketch(EXACT_VALUES), nonZero: 0, last: { time: '', value: 0 } }));
  const byMetric = new Map<string, typeof keys>();
  for (const k of keys) byMetric.set(k.metric, [...(byMetric.get(k.metric) ?? []), k]);
  const types = new Map<string, MetricType>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const file of files) {
    forEachLine(file, (line) => {
      const isMetric = line.includes('"type":"Metric"');
      if (!isMetric && !line.includes('"type":"Point"')) return;
      let entry: { type: string; metric: string; data: { type?: MetricType; time?: string; value?: number; tags?: Record<string, string> } };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.type === 'Metric') {
        if (entry.data.type) types.set(entry.metric, entry.data.type);
        return;
      }
      const t = Date.parse(entry.data.time!);
      first = Math.min(first, t);
      last = Math.max(last, t);
      for (const k of byMetric.get(entry.metric) ?? []) {
        if (!k.tags.every(([tag, value]) => entry.data.tags?.[tag] === value)) continue;
        k.values.add(entry.data.value!);
        if (entry.data.value !== 0) k.nonZero++;
        if (entry.data.time! >= k.last.time) k.last = { time: entry.data.time!, value: entry.data.value! };
      }
    });
  }
  const seconds = Math.max(0.001, (last - first) / 1000);
  return keys.flatMap((k) =>
    thresholds[k.key]!.map((expression): ThresholdResult => {
      const match = EXPRESSION.exec(expression);
      if (!match || k.values.count === 0) return { metric: k.key, expression, ok: false };
      const observed = aggregate(types.get(k.metric) ?? 'trend', match[1]!, match[2], k.values, k.nonZero, k.last.value, seconds);
      if (observed === undefined) return { metric: k.key, expression, ok: false };
      return { metric: k.key, expression, observed: Number(observed.toFixed(4)), ok: compare(observed, match[3]!, Number(match[4])) };
    }),
  );
}

function aggregate(type: MetricType, name: string, pct: string | undefined, values: QuantileSketch, nonZero: number, lastValue: number, seconds: number): number | undefined {
  const sum = values.sum;
  if (type === 'rate') return name === 'rate' ? nonZero / values.count : undefined;
  if (type === 'counter') return name === 'count' ? sum : name === 'rate' ? sum / seconds : undefined;
  if (type === 'gauge') return name === 'value' ? lastValue : name === 'min' ? values.min : name === 'max' ? values.max : undefined;
  if (pct !== undefined) return values.quantile(Number(pct));
  if (name === 'avg') return sum / values.count;
  if (name === 'min') return values.min;
  if (name === 'max') return values.max;
  if (name === 'med') return values.quantile(50);
  if (name === 'count') return values.count;
  return undefined;
}

function compare(observed: number, operator: string, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '!=':
      return observed !== limit;
    default:
      return observed === limit;
  }
}
