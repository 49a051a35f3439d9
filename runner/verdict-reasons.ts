import { formatMs } from '../lib/durations.ts';
import type { InvariantResult, RecoveryResult, ThresholdResult, TimelineEvent } from './result.ts';

/** One line per assertion that broke (a fault that would not apply or revert, a threshold, a recovery bound, an invariant): a run's `reasons`, local or distributed. */
export function failureReasons(r: { timeline: TimelineEvent[]; thresholds: ThresholdResult[]; recovery: RecoveryResult[]; invariants: InvariantResult[] }, observed: (t: ThresholdResult) => string = (t) => String(t.observed)): string[] {
  const reasons: string[] = [];
  for (const e of r.timeline.filter((e) => !e.ok)) reasons.push(`fault ${e.fault} could not be ${e.action === 'apply' ? 'applied' : 'reverted'}: ${e.error}`);
  for (const t of r.thresholds.filter((t) => !t.ok)) {
    reasons.push(`threshold ${t.metric} ${t.expression} failed${t.observed !== undefined ? ` (observed ${observed(t)})` : ' (no samples)'}`);
  }
  for (const rec of r.recovery.filter((rec) => !rec.ok)) {
    reasons.push(
      rec.recoveredAfterMs === undefined
        ? `${rec.fault}: did not recover within the run after its revert at ${formatMs(rec.revertedAtMs)}`
        : `${rec.fault}: recovered after ${formatMs(rec.recoveredAfterMs)}, bound ${formatMs(rec.boundMs ?? 0)}`,
    );
  }
  for (const i of r.invariants.filter((i) => !i.ok)) reasons.push(`invariant ${i.name}: ${i.detail}`);
  return reasons;
}
