import type { Diagnostics } from './diagnostics/result.ts';

/**
 * What one chaos run produced: the runner fills it in, the reports render it, and
 * `summary.json` is exactly this object. Times are ms since the run's time origin
 * (`startedAt`), unless they are ISO strings.
 */
export interface RunResult {
  runId: string;
  scenario: string;
  description: string;
  profile: string;
  seed: number;
  /** Where the load went (always loopback unless --allow-remote-target was given). */
  target: string;
  startedAt: string;
  durationMs: number;
  /**
   * PASS: every assertion held. FAIL: a threshold, a recovery bound or an invariant broke.
   * INCONCLUSIVE: the run cannot tell (see `inconclusive`): not a verdict on the app's mitigations.
   */
  verdict: Verdict;
  /** Why the run could not tell: the baseline was already broken before any fault, or the load generator fell short. */
  inconclusive?: { kind: InconclusiveKind; detail: string };
  /** Why the verdict is what it is, one line per failed assertion (empty on PASS). */
  reasons: string[];
  phases: PhaseResult[];
  timeline: TimelineEvent[];
  thresholds: ThresholdResult[];
  recovery: RecoveryResult[];
  invariants: InvariantResult[];
  /** Metric time series in fixed buckets, for the charts. */
  series: SeriesPoint[];
  /** The command that reproduces this run: scenario file, config, target, profile, seed, mitigations, timeline. */
  replay?: string;
  /** Planned vs delivered load per group and phase. */
  load?: LoadAccount;
  /** e.g. mitigations switched off, environment reused or started, k6 version. */
  context: Record<string, string>;
  /** What the server side felt, failure samples, status codes, attribution, plan checks (runner/diagnostics/result.ts). */
  diagnostics?: Diagnostics;
}

export type Verdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';
export type InconclusiveKind = 'baseline-broken' | 'load-shortfall';

/** The CLI's exit code for each outcome; 2 (bad input, unreachable target, an environment that will not start) and 130 (interrupted) come from elsewhere. */
export const VERDICT_EXIT_CODES = { PASS: 0, FAIL: 1, 'baseline-broken': 3, 'load-shortfall': 4 } as const;

export interface PhaseResult {
  name: string;
  startMs: number;
  endMs: number;
  requests: number;
  errorRate: number;
  rps: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  /** Present when the scenario's requests stream (LLM chat). */
  firstToken?: { p50: number; p95: number };
  /** Real-time delivery of the messages sent in this phase (faultline/k6/socketio, faultline/k6/ws). */
  ws?: { messages: number; lagP50: number; lagP99: number; dropped: number };
}

export interface TimelineEvent {
  fault: string;
  layer: 'network' | 'http' | 'chain' | 'process';
  target: string;
  action: 'apply' | 'revert';
  scheduledMs: number;
  /** When the fault was in place (its apply/revert call had returned). */
  actualMs: number;
  /** When the apply/revert call was issued; `actualMs - issuedMs` is how long the call took. */
  issuedMs?: number;
  ok: boolean;
  error?: string;
}

export interface ThresholdResult {
  /** k6 metric with tags, e.g. `http_req_duration{phase:fault}`. */
  metric: string;
  expression: string;
  /** The observed value the expression was checked against, when known. */
  observed?: number;
  ok: boolean;
  /** `script`: the k6 script's own threshold (an existing script's options), not the scenario's. `probe`: judged by the runner on a probe's series (`probe:<group>.<metric>`). */
  source?: 'script' | 'probe';
}

export interface RecoveryResult {
  fault: string;
  revertedAtMs: number;
  /** ms from revert until error rate and p95 were back within the baseline's bounds; undefined if never. */
  recoveredAfterMs?: number;
  boundMs?: number;
  ok: boolean;
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SeriesPoint {
  tMs: number;
  phase: string;
  rps: number;
  errorRate: number;
  p50: number;
  p95: number;
}

/**
 * How much of the planned load the load generator delivered, per group and phase: an
 * arrival-rate group plans its iterations, and k6 drops the arrivals it cannot start when
 * every VU is busy. Beyond `maxShortfall` a PASS is INCONCLUSIVE ('load-shortfall').
 */
export interface LoadAccount {
  /** Largest share of the planned arrivals that may go undelivered (`load.maxShortfall`). */
  maxShortfall: number;
  groups: GroupLoad[];
  /** Groups k6 could not give more VUs ("Insufficient VUs" in k6.log): the VUs it reached. */
  vusCapped: Record<string, number>;
  /** The worst shortfall judged (a phase, or the whole run, with enough planned arrivals to tell). */
  worst?: { group: string; phase?: string; shortfall: number };
}

export interface GroupLoad {
  group: string;
  executor: string;
  /** Planned iterations (arrival-rate groups). */
  planned?: number;
  /** Iterations started: planned minus dropped for an arrival-rate group, those that ran for the others. */
  achieved: number;
  dropped: number;
  /** Share of the planned arrivals not started, 0..1. */
  shortfall?: number;
  phases: PhaseLoad[];
}

export interface PhaseLoad {
  phase: string;
  planned?: number;
  achieved: number;
  dropped: number;
  /** Per second over the phase. */
  plannedRate?: number;
  achievedRate: number;
  shortfall?: number;
}
