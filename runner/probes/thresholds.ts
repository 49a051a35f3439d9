import type { ThresholdResult } from '../result.ts';
import type { ScheduledPhase } from '../scenario.ts';
import type { ProbeData } from './sampler.ts';
import { AGGREGATES, aggregate, combine, type SeriesSelector } from './series.ts';
import type { PlannedProbe } from './source.ts';

/** Threshold keys with this prefix are judged by the runner on the probes' series, not by k6. */
export const PROBE_PREFIX = 'probe:';

export const isProbeKey = (key: string) => key.startsWith(PROBE_PREFIX);

/**
 * `probe:<group>.<metric>{label=value,phase:name}` → what it selects. Labels are written
 * `k=v` (or `k:v`); `phase` (either form) scopes it to a phase, as k6's `{phase:fault}` does.
 */
export function parseProbeKey(key: string): SeriesSelector | string {
  const m = /^probe:([a-z][\w-]*)\.([\w.:]+)(?:\{([^{}]*)\})?$/.exec(key);
  if (!m) return 'expected "probe:<group>.<metric>" with optional {label=value,phase:name}, e.g. "probe:redis.hit_ratio{phase:steady}"';
  const labels: Record<string, string> = {};
  let phase: string | undefined;
  for (const part of (m[3] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const kv = /^([\w-]+)\s*[=:]\s*(.+)$/.exec(part);
    if (!kv) return `"${part}" is not a tag: expected label=value or phase:name`;
    if (kv[1] === 'phase') phase = kv[2]!.trim();
    else labels[kv[1]!] = kv[2]!.trim();
  }
  return { group: m[1]!, metric: m[2]!, labels, ...(phase ? { phase } : {}) };
}

const EXPRESSION = /^\s*(avg|min|max|med|last|first|count|rate|value|p\(\d+(?:\.\d+)?\))?\s*(<=|>=|<|>|===|==|!=)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?|\{\w+\})\s*$/;

/** A probe threshold expression: `>0.85`, `max<0.7`, `last<10`, `count>0`, `p(95)<200`; an omitted aggregate is `value`. */
export function parseProbeExpression(expression: string): { aggregate: string; op: string; bound: number } | undefined {
  const m = EXPRESSION.exec(expression);
  if (!m || m[3]!.startsWith('{')) return m ? { aggregate: m[1] ?? 'value', op: m[2]!, bound: Number.NaN } : undefined;
  return { aggregate: m[1] ?? 'value', op: m[2]!, bound: Number(m[3]) };
}

/** True when the expression is well-formed (before profile placeholders are filled in). */
export const isProbeExpression = (expression: string) => EXPRESSION.test(expression);

export const PROBE_EXPRESSION_HINT = `expected a probe threshold like ">0.85", "max<0.7", "last<10", "count>0" or "p(95)<200" (aggregates: ${AGGREGATES.join(', ')}, p(N))`;

/**
 * Problems with the scenario's probe thresholds against what the environment will have:
 * a group no source will produce, a metric it does not report, an unknown phase. Each is
 * "assertions.thresholds.<key>: ..." so the message names the field.
 */
export function probeThresholdProblems(thresholds: Record<string, string[]>, planned: PlannedProbe[], phases: ScheduledPhase[], enabled = true): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(thresholds).filter(isProbeKey)) {
    const field = `assertions.thresholds.${key}`;
    if (!enabled) {
      problems.push(`${field}: probes are switched off (probes.enabled: false)`);
      continue;
    }
    const sel = parseProbeKey(key);
    if (typeof sel === 'string') {
      problems.push(`${field}: ${sel}`);
      continue;
    }
    const groups = planned.filter((p) => p.group === sel.group);
    if (groups.length === 0) {
      const known = [...new Set(planned.map((p) => p.group))];
      problems.push(`${field}: no probe "${sel.group}" in this environment; it will have ${known.join(', ') || 'none'} (a probe comes from a service the run has, probes.queues or probes.prometheus)`);
      continue;
    }
    if (!groups.some((g) => g.anyMetric || g.metrics[sel.metric])) {
      const metrics = [...new Set(groups.flatMap((g) => Object.keys(g.metrics)))];
      problems.push(`${field}: probe "${sel.group}" has no metric "${sel.metric}"; it reports ${metrics.join(', ')}`);
    }
    if (sel.phase && !phases.some((p) => p.name === sel.phase)) problems.push(`${field}: unknown phase "${sel.phase}"; phases are ${phases.map((p) => p.name).join(', ')}`);
  }
  return problems;
}

/** Each probe threshold judged on the series: a ThresholdResult marked `source: 'probe'`; no points is a failure, as in k6. */
export function judgeProbeThresholds(thresholds: Record<string, string[]>, data: Pick<ProbeData, 'series'> | undefined): ThresholdResult[] {
  return Object.entries(thresholds)
    .filter(([key]) => isProbeKey(key))
    .flatMap(([key, expressions]) => expressions.map((expression) => judgeOne(key, expression, data)));
}

export function judgeOne(key: string, expression: string, data: Pick<ProbeData, 'series'> | undefined): ThresholdResult {
  const sel = parseProbeKey(key);
  const parsed = parseProbeExpression(expression);
  const result: ThresholdResult = { metric: key, expression, ok: false, source: 'probe' };
  if (typeof sel === 'string' || !parsed || !data) return result;
  const combined = combine(data.series, sel);
  // A counter no source ever reported (nothing was refused) counted 0, if its group answered in that window.
  const groupAnswered = data.series.some((s) => s.group === sel.group && s.points.some((p) => !sel.phase || p.phase === sel.phase));
  const observed = combined ? aggregate(combined.kind, combined.points, parsed.aggregate) : parsed.aggregate === 'count' && groupAnswered ? 0 : undefined;
  if (observed === undefined || Number.isNaN(parsed.bound)) return result;
  return { ...result, observed: Number(observed.toFixed(4)), ok: compare(observed, parsed.op, parsed.bound) };
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '!=':
      return a !== b;
    default:
      return a === b;
  }
}

/** The thresholds split: what k6 judges, and what the runner judges on the probes. */
export function splitThresholds(all: Record<string, string[]>): { k6: Record<string, string[]>; probe: Record<string, string[]> } {
  const k6: Record<string, string[]> = {};
  const probe: Record<string, string[]> = {};
  for (const [key, expressions] of Object.entries(all)) (isProbeKey(key) ? probe : k6)[key] = expressions;
  return { k6, probe };
}
