/** Number formatting shared by every report, so the markdown, HTML and JUnit agree. */

/** `1234.5` -> `"1235 ms"`; `12345` -> `"12.3 s"`. Latencies stay in ms below 10 s, where people compare them. */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value)} ms`;
}

/** A signed drift such as `+12 ms` or `-3 ms`. */
export function drift(value: number): string {
  const rounded = Math.round(value);
  return `${rounded >= 0 ? '+' : ''}${rounded} ms`;
}

/** `0.01234` -> `"1.23%"`. */
export function percent(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate)) return '–';
  return `${(rate * 100).toFixed(2)}%`;
}

export function fixed(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

/** Seconds since the run's origin, e.g. `20.01 s`, for timeline offsets. */
export function offset(msSinceOrigin: number): string {
  return `${(msSinceOrigin / 1000).toFixed(2)} s`;
}

/**
 * The observed value of a k6 threshold in the unit its expression implies:
 * `rate<0.01` -> a percentage, `p(95)<2000` on a duration metric -> ms, `count>10` -> an integer.
 */
export function observedValue(metric: string, expression: string, observed: number | undefined): string {
  if (observed === undefined || !Number.isFinite(observed)) return '–';
  const aggregate = expression.trim().split(/\s*[<>=!]/)[0] ?? '';
  if (aggregate === 'rate') return `${trimNumber(observed)} (${percent(observed)})`;
  if (aggregate === 'count') return String(Math.round(observed));
  if (/duration|time|latency|first_token|ttft|_ms\b|_lag|_connecting|staleness/i.test(metric)) return ms(observed);
  return trimNumber(observed);
}

function trimNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}
