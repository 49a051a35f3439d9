import type { WsSamples } from './points.ts';
import type { PhaseResult } from './result.ts';

/**
 * Each phase with the real-time delivery of the messages sent in it (when the run tracked
 * any): messages received, lag p50/p99 and the share dropped.
 */
export function withWsMetrics(phases: PhaseResult[], ws: WsSamples): PhaseResult[] {
  if (ws.lag.size === 0 && ws.dropped.size === 0) return phases;
  return phases.map((phase) => {
    const lag = ws.lag.get(phase.name);
    const expected = ws.dropped.get(phase.name);
    const dropped = expected ? expected.sum / expected.count : 0;
    return { ...phase, ws: { messages: lag?.count ?? 0, lagP50: Math.round(lag?.quantile(50) ?? 0), lagP99: Math.round(lag?.quantile(99) ?? 0), dropped: Number(dropped.toFixed(4)) } };
  });
}
