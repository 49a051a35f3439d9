import { z } from 'zod';
import { formatIssue } from '../lib/schema.ts';
import { FaultlineError } from '../lib/errors.ts';
import { isProbeExpression, isProbeKey, PROBE_EXPRESSION_HINT } from './probes/thresholds.ts';

/** A k6 metric with optional tag filter, `http_req_duration{phase:fault}`, or a probe the runner judges, `probe:redis.hit_ratio{phase:steady}`. */
export const thresholdKey = z
  .string()
  .regex(/^(probe:[a-z][\w-]*\.[\w.:]+|[A-Za-z_][\w.]*)(\{[^{}]+\})?$/, 'expected a k6 metric, optionally with tags, e.g. "http_req_duration{phase:fault}", or a probe, e.g. "probe:redis.hit_ratio{phase:steady}"');

/** One k6 threshold expression; `{name}` placeholders are filled from the profile. */
export const thresholdExpression = z
  .string()
  .regex(
    /^\s*(avg|min|max|med|count|rate|value|p\(\d+(\.\d+)?\))\s*(<=|>=|<|>|===|==|!=)\s*(\d+(\.\d+)?|\{\w+\})\s*$/,
    'expected a k6 threshold expression like "p(95)<2000", "rate<0.01" or "p(95)<{p95TotalMs}"',
  );

/** k6's threshold object: the expression, and whether crossing it stops the test. */
const thresholdObject = z.strictObject({
  threshold: thresholdExpression,
  abortOnFail: z.boolean().optional(),
  delayAbortEval: z
    .string()
    .regex(/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/, 'expected a k6 duration like "10s" or "1m30s"')
    .optional(),
});

/** A threshold as a scenario writes it: `'p(95)<2000'` or `{ threshold: 'p(95)<2000', abortOnFail: true, delayAbortEval: '10s' }`. */
export type ThresholdEntry = string | z.output<typeof thresholdObject>;

/**
 * A string or an object, each reported against its own schema (a bad string says what an
 * expression looks like, not "Invalid input"). A probe's thresholds are the runner's, not
 * k6's: strings in the probes' own grammar (runner/probes/thresholds.ts).
 */
const thresholdEntry = (probe: boolean) => z.unknown().transform((value, ctx): ThresholdEntry => {
  if (probe) {
    if (typeof value === 'string' && isProbeExpression(value)) return value;
    ctx.addIssue({ code: 'custom', message: PROBE_EXPRESSION_HINT });
    return z.NEVER;
  }
  const parsed = (typeof value === 'string' ? thresholdExpression : thresholdObject).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: formatIssue(issue).replace(/^[^:]*: /, ''), path: issue.path } as never);
  return z.NEVER;
});

/** `assertions.thresholds`: metric → expressions or threshold objects. */
export const thresholdsSchema = z.record(thresholdKey, z.array(z.unknown()).min(1)).transform((record, ctx) => {
  const out: Record<string, ThresholdEntry[]> = {};
  for (const [key, entries] of Object.entries(record)) {
    const entry = thresholdEntry(isProbeKey(key));
    out[key] = entries.map((value, i) => {
      const parsed = entry.safeParse(value);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: [key, i, ...issue.path] } as never);
      return value as ThresholdEntry;
    });
  }
  return out;
});

/** The expression of an entry. */
export const expressionOf = (entry: ThresholdEntry): string => (typeof entry === 'string' ? entry : entry.threshold);

/** Fills `{p95TotalMs}`-style placeholders; an unknown one is an error naming the known ones. */
export function fillPlaceholders(expression: string, vars: Record<string, number>, scenario: string): string {
  return expression.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in vars)) throw new FaultlineError(`Threshold "${expression}" of ${scenario} uses {${name}}; known: ${Object.keys(vars).map((v) => `{${v}}`).join(', ')}`);
    return String(vars[name]);
  });
}

/**
 * The thresholds as k6 takes them: the judged expressions, where the scenario asked for it
 * as objects with `abortOnFail` / `delayAbortEval` (k6 accepts both forms side by side).
 */
export function k6Thresholds(judged: Record<string, string[]>, written: Record<string, ThresholdEntry[]>, fill: (expression: string) => string): Record<string, ThresholdEntry[]> {
  const k6: Record<string, ThresholdEntry[]> = {};
  for (const [metric, expressions] of Object.entries(judged)) {
    const objects = (written[metric] ?? []).filter((e): e is Exclude<ThresholdEntry, string> => typeof e !== 'string');
    k6[metric] = expressions.map((expression) => {
      const object = objects.find((o) => fill(o.threshold) === expression);
      return object ? { ...object, threshold: expression } : expression;
    });
  }
  return k6;
}

/** What k6 writes to its log when a threshold with abortOnFail stopped the test. */
const ABORTED = /thresholds on metrics '([^']+)' were crossed; at least one has abortOnFail enabled, stopping test prematurely/;

/** The metrics whose abortOnFail threshold stopped the run, from k6's log; undefined when nothing aborted it. */
export function abortedBy(log: string): string[] | undefined {
  const match = ABORTED.exec(log);
  return match ? match[1]!.split(/',\s*'|,\s*/).filter(Boolean) : undefined;
}
