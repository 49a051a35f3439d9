import { ms, percent } from './format.ts';

/**
 * An observed value as a headline reads it: a rate or a fraction as a percentage
 * (`94.12%`), a duration in ms (`3002 ms`), a count as an integer, anything else with
 * at most four significant digits. `unit` is a probe's ('%', 'ms', 'MB', 'cores', '/s').
 */
export function readable(metric: string, expression: string, observed: number | undefined, unit?: string): string {
  if (observed === undefined || !Number.isFinite(observed)) return '–';
  const aggregate = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(expression)?.[1] ?? 'value';
  if (aggregate === 'count') return String(Math.round(observed));
  if (unit === '%' || (!unit && (aggregate === 'rate' || /_failed\b|_ratio\b|checks\b/.test(metric)))) return percent(observed);
  if (unit === 'ms' || (!unit && /duration|first_token|ttft|_ms\b|latency/i.test(metric))) return ms(observed);
  const n = Number.isInteger(observed) ? String(observed) : String(Number(observed.toPrecision(4)));
  return unit && unit !== '' ? `${n} ${unit}` : n;
}
