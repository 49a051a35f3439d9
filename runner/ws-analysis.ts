import { percentile } from './analysis.ts';
import type { WsSamples } from './points.ts';
import type { PhaseResult } from './result.ts';

/**
 * Each phase with the real-time delivery of the messages sent in it (when the run tracked
 * any): messages received, lag p50/p99 and the share dropped.
 */
export function withWsMetrics(phases: PhaseResult[], ws: WsSamples): PhaseResult[] {
  if (ws.lag.length === 0 && ws.dropped.length === 0) return phases;
  return phases.map((phase) => {
    const lags = ws.lag.filter((s) => s.phase === phase.name).map((s) => s.value).sort((a, b) => a - b);
    const expected = ws.dropped.filter((s) => s.phase === phase.name);
    const dropped = expected.length === 0 ? 0 : expected.reduce((sum, s) => sum + s.value, 0) / expected.length;
    return { ...phase, ws: { messages: lags.length, lagP50: Math.round(percentile(lags, 50)), lagP99: Math.round(percentile(lags, 99)), dropped: Number(dropped.toFixed(4)) } };
  });
}
