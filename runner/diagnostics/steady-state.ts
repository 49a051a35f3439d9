import type { Sample } from '../points.ts';
import type { Metric, RequestStats } from '../request-stats.ts';
import { QuantileSketch } from '../sketch.ts';
import { readable } from '../reports/readable.ts';
import type { ScheduledPhase } from '../scenario.ts';
import type { ProbeSeries } from '../probes/series.ts';
import { isProbeKey, judgeOne } from '../probes/thresholds.ts';
import type { SteadyState } from './result.ts';

/** The k6 metrics the runner sees per request while the load runs, so it can judge them live. */
const LIVE: Record<string, Metric> = { http_req_duration: 'duration', http_req_failed: 'failed', faultline_first_token: 'firstToken' };

/**
 * The steady-state hypothesis, judged live just before the first fault: every threshold
 * scoped to the first phase (`{phase:<first>}`), on the requests and probe points seen so
 * far. k6 metrics the runner does not see per request (checks, custom metrics, other tags)
 * are deferred to the post-run check, which is the backstop.
 */
export function judgeSteadyState(thresholds: Record<string, string[]>, phase: ScheduledPhase, stats: RequestStats, series: ProbeSeries[], atMs: number): SteadyState {
  const broken: string[] = [];
  const deferred: string[] = [];
  for (const [key, expressions] of Object.entries(thresholds)) {
    if (isProbeKey(key)) {
      if (!new RegExp(`[{,]\\s*phase\\s*[:=]\\s*${phase.name}\\s*[,}]`).test(key)) continue;
      for (const expression of expressions) {
        const r = judgeOne(key, expression, { series });
        // No probe point yet (a slow first answer) is not a broken baseline.
        if (r.observed === undefined) deferred.push(`${key} ${expression}`);
        else if (!r.ok) broken.push(`${key} ${expression} (observed ${readable(key, expression, r.observed, series.find((s) => key.includes(`${s.group}.${s.metric}`))?.unit)})`);
      }
      continue;
    }
    const m = /^(\w+)\{([^}]*)\}$/.exec(key);
    if (!m || !m[2]!.split(',').some((t) => t.trim() === `phase:${phase.name}`)) continue;
    const metric = LIVE[m[1]!];
    const onlyPhase = m[2]!.split(',').every((t) => t.trim().startsWith('phase:'));
    for (const expression of expressions) {
      if (!metric || !onlyPhase) {
        deferred.push(`${key} ${expression}`);
        continue;
      }
      const values = stats.select(metric, { phase: phase.name, toMs: atMs }).values;
      const verdict = judgeK6(expression, values);
      if (verdict === undefined) deferred.push(`${key} ${expression}`);
      else if (!verdict.ok) broken.push(`${key} ${expression} (observed ${readable(key, expression, verdict.observed)})`);
    }
  }
  return { phase: phase.name, checkedAtMs: Math.round(atMs), ok: broken.length === 0, broken, deferred };
}

/** A k6 threshold expression on samples (trend values, or 0/1 for a rate); undefined when there are none or it cannot be read. */
export function judgeK6(expression: string, samples: Sample[] | QuantileSketch): { ok: boolean; observed: number } | undefined {
  const m = /^\s*(avg|min|max|med|count|rate|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|<|>|===|==|!=)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
  const values = samples instanceof QuantileSketch ? samples : sketchOf(samples);
  if (!m || values.count === 0) return undefined;
  const observed =
    m[1] === 'rate' || m[1] === 'avg'
      ? values.sum / values.count
      : m[1] === 'min'
        ? values.min
        : m[1] === 'max'
          ? values.max
          : m[1] === 'count'
            ? values.count
            : values.quantile(m[1] === 'med' ? 50 : Number(m[2]));
  const bound = Number(m[4]);
  const ok = { '<': observed < bound, '<=': observed <= bound, '>': observed > bound, '>=': observed >= bound, '==': observed === bound, '===': observed === bound, '!=': observed !== bound }[m[3] as '<'];
  return { ok, observed };
}

function sketchOf(samples: Sample[]): QuantileSketch {
  const sketch = new QuantileSketch(Number.POSITIVE_INFINITY);
  for (const s of samples) sketch.add(s.value);
  return sketch;
}
