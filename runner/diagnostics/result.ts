import type { ProbeGap, ProbeSeries } from '../probes/series.ts';

/**
 * Version of the `diagnostics` shape in summary.json. Bumped when a field changes meaning
 * or goes away; new optional fields do not bump it.
 */
export const DIAGNOSTICS_SCHEMA_VERSION = 1;

/** What summary.json carries besides the verdict: the server side, the failures, and why. Times are ms since the origin. */
export interface Diagnostics {
  schemaVersion: typeof DIAGNOSTICS_SCHEMA_VERSION;
  /** The probes' series (every point, one per interval), their gaps and the settings they saw. */
  probes?: {
    intervalMs: number;
    groups: Array<{ group: string; source: string }>;
    series: ProbeSeries[];
    gaps: ProbeGap[];
    facts: Record<string, Record<string, string>>;
  };
  /** HTTP outcomes per phase, counted from every request k6 made. */
  statusBreakdown: PhaseStatus[];
  /** A bounded sample of failed or slow requests (per phase and kind), with the log files their request id appears in. */
  failureSamples: FailureSample[];
  /** For each failing threshold: the faults active in its window and what the probes saw there. */
  attribution: Attribution[];
  /** `explain` plan checks, after the load. */
  plans: PlanCheck[];
  /** The steady-state gate before the first fault (absent when no fault starts after the first phase). */
  steadyState?: SteadyState;
}

export interface PhaseStatus {
  phase: string;
  requests: number;
  /** By class: "2xx", "3xx"; 4xx and 5xx by code ("404", "503"). */
  byStatus: Record<string, number>;
  timeouts: number;
  connectionErrors: number;
  /** Other k6 errors with no status (TLS, protocol), by k6 error code. */
  otherErrors: Record<string, number>;
}

export type FailureKind = '4xx' | '5xx' | 'timeout' | 'connection' | 'slow';

export interface FailureSample {
  tMs: number;
  phase: string;
  kind: FailureKind;
  method: string;
  name: string;
  status: number;
  /** k6's error code (1050 timeout, 1211 dial timeout, 1212 refused, ...), when there was one. */
  errorCode?: number;
  error?: string;
  durationMs: number;
  requestId?: string;
  traceparent?: string;
  /** The configured extra header (`probes.samples.header`). */
  header?: { name: string; value: string };
  /** The first bytes of the body. */
  body?: string;
  /** Service log files (`.faultline/logs/<service>.log`) the request id or trace id appears in. */
  foundIn?: string[];
}

export interface Attribution {
  /** The threshold, as `metric expression`. */
  threshold: string;
  window: { fromMs: number; toMs: number; phase?: string };
  /** "Redis down 4.0–10.0 s", "errors 94.12 % in this window", "rpc refused 312 (provider=infura, status=429)". */
  notes: string[];
}

export interface PlanCheck {
  name: string;
  sql: string;
  expect: string;
  ok: boolean;
  /** The plan text (EXPLAIN ANALYZE), or why it could not be had. */
  plan: string;
}

export interface SteadyState {
  phase: string;
  /** When it was judged (just before the first fault). */
  checkedAtMs: number;
  ok: boolean;
  /** The thresholds that did not hold, with what was seen. */
  broken: string[];
  /** Thresholds it could not judge live (k6-only metrics), left to the post-run check. */
  deferred: string[];
}
