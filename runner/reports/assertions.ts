import { ms, observedValue } from './format.ts';
import { thresholdSentence, thresholdWindowMs } from './judged.ts';
import type { RunResult } from '../result.ts';

/** One thing the verdict depends on: a threshold, a recovery bound or an invariant. */
export interface Assertion {
  kind: 'threshold' | 'recovery' | 'invariant' | 'plan';
  /** Short, stable name, e.g. `http_req_duration{phase:fault}: p(95)<2000`. */
  name: string;
  ok: boolean;
  /** What was observed, in words a person reads, e.g. `observed 3120 ms`. */
  message: string;
  /** The same against its limit, e.g. `p(95) of http_req_duration was 3120 ms in phase fault; the threshold is p(95) < 2000 ms`. */
  sentence: string;
  /** How much of the run it judged, in ms: a threshold's phase (or the whole run), a recovery's wait after its revert, an invariant the whole run. */
  windowMs: number;
}

/** Every assertion of a run, in the order the report lists them: thresholds, recovery, invariants. */
export function assertionsOf(result: RunResult): Assertion[] {
  const thresholds = result.thresholds.map<Assertion>((t) => ({
    kind: 'threshold',
    name: `${t.metric}: ${t.expression}`,
    ok: t.ok,
    message:
      t.observed === undefined
        ? `${t.ok ? 'held' : 'crossed'} (observed value not reported)`
        : `observed ${observedValue(t.metric, t.expression, t.observed)}`,
    sentence: thresholdSentence(t),
    windowMs: thresholdWindowMs(result, t),
  }));
  const recovery = result.recovery.map<Assertion>((r) => ({
    kind: 'recovery',
    name: `recovery after ${r.fault}${r.boundMs === undefined ? '' : ` ≤ ${ms(r.boundMs)}`}`,
    ok: r.ok,
    message: recoveryMessage(r.recoveredAfterMs, r.boundMs),
    sentence: `after ${r.fault} was reverted at ${ms(r.revertedAtMs)}: ${recoveryMessage(r.recoveredAfterMs, r.boundMs)}`,
    windowMs: r.recoveredAfterMs ?? Math.max(0, result.durationMs - r.revertedAtMs),
  }));
  const invariants = result.invariants.map<Assertion>((i) => ({
    kind: 'invariant',
    name: i.name,
    ok: i.ok,
    message: i.detail,
    sentence: i.detail,
    windowMs: result.durationMs,
  }));
  const plans = (result.diagnostics?.plans ?? []).map<Assertion>((p) => ({
    kind: 'plan',
    name: `plan ${p.name} contains "${p.expect}"`,
    ok: p.ok,
    message: p.ok ? 'the plan contains it' : `not in the plan: ${p.plan.split('\n')[0]!.trim()}`,
    sentence: `EXPLAIN of ${p.name} ${p.ok ? 'contains' : 'does not contain'} "${p.expect}"`,
    windowMs: 0,
  }));
  return [...thresholds, ...recovery, ...invariants, ...plans];
}

export function recoveryMessage(recoveredAfterMs: number | undefined, boundMs: number | undefined): string {
  const bound = boundMs === undefined ? '' : ` (bound ${ms(boundMs)})`;
  if (recoveredAfterMs === undefined) return `never recovered before the run ended${bound}`;
  return `recovered ${ms(recoveredAfterMs)} after the revert${bound}`;
}

/**
 * The one-line reasons under the verdict: the runner's own when it gave some, otherwise
 * one per failed assertion, so a FAIL is never shown without a why.
 */
export function reasonsOf(result: RunResult): string[] {
  if (result.reasons.length > 0) return result.reasons;
  return assertionsOf(result)
    .filter((a) => !a.ok)
    .map((a) => `${a.name} — ${a.message}`);
}

/** `"9 assertions held (5 thresholds, 1 recovery bound, 3 invariants)"`-style counts. */
export function countsOf(result: RunResult): { total: number; failed: number; text: string } {
  const all = assertionsOf(result);
  const failed = all.filter((a) => !a.ok).length;
  const parts = [
    plural(result.thresholds.length, 'threshold'),
    plural(result.recovery.length, 'recovery bound'),
    plural(result.invariants.length, 'invariant'),
    ...(result.diagnostics?.plans.length ? [plural(result.diagnostics.plans.length, 'plan check')] : []),
  ];
  return { total: all.length, failed, text: parts.join(', ') };
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
