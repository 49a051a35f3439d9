import { ms, observedValue, percent } from './format.ts';
import type { RunResult, ThresholdResult } from '../result.ts';

/**
 * The window a threshold judged, in ms: the phase its metric is scoped to
 * (`http_req_duration{phase:fault}`), else the whole run.
 */
export function thresholdWindowMs(result: RunResult, t: ThresholdResult): number {
  const phase = /[{,]\s*phase\s*:\s*([^,}]+)\}?/.exec(t.metric)?.[1]?.trim();
  const p = phase ? result.phases.find((x) => x.name === phase) : undefined;
  return p ? p.endMs - p.startMs : result.durationMs;
}

/** What a threshold saw against its limit, in units a person reads: "p(95) was 3120 ms in phase fault; the threshold is p(95) < 2000 ms". */
export function thresholdSentence(t: ThresholdResult): string {
  const match = /^\s*([a-z]+(?:\([\d.]+\))?)\s*(<=|>=|<|>|===|==|!=)\s*([\d.]+)\s*$/.exec(t.expression);
  const phase = /phase\s*:\s*([^,}]+)/.exec(t.metric)?.[1]?.trim();
  const where = phase ? ` in phase ${phase}` : '';
  if (!match) return `${t.metric} ${t.expression}: ${t.observed === undefined ? 'no value was reported' : `observed ${observedValue(t.metric, t.expression, t.observed)}`}`;
  const [, aggregate, operator, limitText] = match as unknown as [string, string, string, string];
  const limit = Number(limitText);
  const unit = (v: number) => (aggregate === 'rate' ? percent(v) : aggregate === 'count' ? String(Math.round(v)) : /duration|time|latency|first_token|ttft|_ms\b/i.test(t.metric) ? ms(v) : String(v));
  const seen = t.observed === undefined ? `${aggregate} of ${t.metric.replace(/\{.*$/, '')} had no samples${where}` : `${aggregate} of ${t.metric.replace(/\{.*$/, '')} was ${unit(t.observed)}${where}`;
  return `${seen}; the threshold is ${aggregate} ${operator} ${unit(limit)}`;
}
