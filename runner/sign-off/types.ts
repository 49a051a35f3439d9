import type { InconclusiveKind, Verdict } from '../result.ts';
import type { FailureGroup } from './failure-samples.ts';
import type { KeyNumbers } from './key-numbers.ts';

/** A row's outcome: a run's verdict, ERROR (the run could not be made: k6 crashed, the target went away), or not run (--fail-fast, interrupted). */
export type RowVerdict = Verdict | 'ERROR' | 'NOT RUN';

/** One scenario × profile of a sign-off, as OVERVIEW.md, CLOSURE.md and pack.json list it. */
export interface SignOffRow {
  scenario: string;
  profile: string;
  verdict: RowVerdict;
  /** The run's own exit code (0 PASS, 1 FAIL, 2 error, 3/4 inconclusive, 130 interrupted); undefined when it did not run. */
  exitCode?: number;
  inconclusive?: { kind: InconclusiveKind; detail: string };
  /** Why the verdict is what it is (empty on PASS); for ERROR the error's message; for NOT RUN why not. */
  reasons: string[];
  numbers?: KeyNumbers;
  /** Failed requests, grouped, with a few samples each (times, phases, trace ids). */
  failures?: FailureGroup[];
  /** The per-profile files, relative to the pack folder. */
  files?: { summary: string; report: string; html: string; junit: string };
  /** The run's own folder (k6's raw output, its own reports), relative to the pack folder. */
  runDir?: string;
  runId?: string;
  startedAt?: string;
  durationMs?: number;
  seed?: number;
  /** Scenario file, as the user would type it. */
  scenarioFile?: string;
  replay?: string;
  /** Arrivals k6 could not start because every VU was busy: load the plan asked for and did not get. */
  droppedIterations?: number;
  /** The profile's service levels, for the closure's "against what". */
  levels?: { success: number; p95TotalMs: number; p95FirstTokenMs?: number };
}

/** pack.json: what a sign-off folder holds, for the next attempt and for machines. */
export interface SignOffPack {
  kind: 'faultline-sign-off';
  verdict: RowVerdict | 'INTERRUPTED';
  exitCode: number;
  startedAt: string;
  finishedAt?: string;
  /** Where the load went: a URL, or "the environment's <service>" when the run chose it. */
  target: string;
  remote: boolean;
  scenarios: string[];
  profiles: string[];
  rows: SignOffRow[];
  /** `--issue`: a number or an issue URL, for CLOSE-COMMANDS.sh. */
  issue?: string;
  /** Earlier attempts of the same sign-off (same scenarios, profiles and target), newest first, relative to this folder. */
  attempts: Array<{ dir: string; verdict: string; startedAt: string }>;
  /** Mitigations, faults skipped, secrets passed by name: what ran, against what. */
  context: Record<string, string>;
}
