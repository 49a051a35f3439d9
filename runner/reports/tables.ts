import { recoveryMessage } from './assertions.ts';
import { drift, fixed, ms, observedValue, offset, percent } from './format.ts';
import { readable } from './readable.ts';
import type { RunResult } from '../result.ts';
import { diagnosticTables } from './diagnostic-tables.ts';
import { contextLabel } from './context-labels.ts';
import { loadTable } from './load.ts';

/** A pass/fail mark; each renderer draws it its own way. */
export interface Status {
  ok: boolean;
  /** Overrides the default "pass"/"FAIL" wording, e.g. "error: ECONNREFUSED". */
  label?: string;
}
export type Cell = string | Status;

/** A titled table, rendered identically (in content) by report.md and report.html. */
export interface Table {
  title: string;
  headers: string[];
  rows: Cell[][];
  /** Shown instead of an empty table. */
  empty: string;
}

export const isStatus = (cell: Cell): cell is Status => typeof cell !== 'string';
export const statusLabel = (s: Status): string => s.label ?? (s.ok ? 'pass' : 'FAIL');

/** The tables of a report, in reading order. */
export function tablesOf(result: RunResult): Table[] {
  return [phaseTable(result), ...(result.load ? [loadTable(result)] : []), thresholdTable(result), recoveryTable(result), invariantTable(result), timelineTable(result), ...diagnosticTables(result)];
}

export function phaseTable(result: RunResult): Table {
  const streaming = result.phases.some((p) => p.firstToken);
  const headers = ['Phase', 'Window', 'Requests', 'Error rate', 'req/s', 'p50', 'p95', 'p99', 'max'];
  if (streaming) headers.push('First-token p95');
  const ws = result.phases.some((p) => p.ws);
  if (ws) headers.push('Messages', 'Lag p50', 'Lag p99', 'Dropped');
  return {
    title: 'Phases',
    headers,
    empty: 'No phase metrics were recorded.',
    rows: result.phases.map((p) => {
      const row: Cell[] = [
        p.name,
        `${offset(p.startMs)} – ${offset(p.endMs)}`,
        String(p.requests),
        percent(p.errorRate),
        fixed(p.rps),
        ms(p.latency.p50),
        ms(p.latency.p95),
        ms(p.latency.p99),
        ms(p.latency.max),
      ];
      if (streaming) row.push(ms(p.firstToken?.p95));
      if (ws) row.push(String(p.ws?.messages ?? 0), ms(p.ws?.lagP50), ms(p.ws?.lagP99), percent(p.ws?.dropped));
      return row;
    }),
  };
}

export function thresholdTable(result: RunResult): Table {
  return {
    title: 'Thresholds',
    headers: ['Metric', 'Threshold', 'Observed', 'Result'],
    empty: 'The scenario sets no thresholds.',
    rows: result.thresholds.map((t) => [t.metric, t.expression, t.source === 'probe' ? readable(t.metric, t.expression, t.observed, probeUnitOf(result, t.metric)) : observedValue(t.metric, t.expression, t.observed), { ok: t.ok }]),
  };
}

export function recoveryTable(result: RunResult): Table {
  return {
    title: 'Recovery',
    headers: ['Fault', 'Reverted at', 'Recovered after', 'Bound', 'Result'],
    empty: 'No recovery times were measured.',
    rows: result.recovery.map((r) => [
      r.fault,
      offset(r.revertedAtMs),
      r.recoveredAfterMs === undefined ? recoveryMessage(undefined, undefined) : ms(r.recoveredAfterMs),
      r.boundMs === undefined ? 'none' : ms(r.boundMs),
      { ok: r.ok },
    ]),
  };
}

export function invariantTable(result: RunResult): Table {
  return {
    title: 'Invariants',
    headers: ['Invariant', 'Detail', 'Result'],
    empty: 'The scenario checks no invariants.',
    rows: result.invariants.map((i) => [i.name, i.detail, { ok: i.ok }]),
  };
}

/** Drift is actual − scheduled (when the fault was in place vs when it should have been); "Call" is how long the apply/revert call took, when the runner recorded when it was issued. */
export function timelineTable(result: RunResult): Table {
  const timed = result.timeline.some((e) => e.issuedMs !== undefined);
  const headers = ['Fault', 'Layer', 'Target', 'Action', 'Scheduled', 'Actual', 'Drift'];
  if (timed) headers.push('Call');
  headers.push('Status');
  return {
    title: 'Fault timeline',
    headers,
    empty: 'The scenario plays no faults.',
    rows: [...result.timeline]
      .sort((a, b) => a.scheduledMs - b.scheduledMs || a.actualMs - b.actualMs)
      .map((e) => {
        const row: Cell[] = [e.fault, e.layer, e.target, e.action, offset(e.scheduledMs), offset(e.actualMs), drift(e.actualMs - e.scheduledMs)];
        if (timed) row.push(e.issuedMs === undefined ? '–' : ms(e.actualMs - e.issuedMs));
        row.push(e.ok ? { ok: true, label: 'ok' } : { ok: false, label: `error: ${e.error ?? 'unknown'}` });
        return row;
      }),
  };
}

export function contextTable(result: RunResult): Table {
  return {
    title: 'Context',
    headers: ['', 'Value'],
    empty: 'No context was recorded.',
    rows: Object.entries(result.context).map(([k, v]) => contextLabel(k, v)),
  };
}

/** The unit of a probe threshold's metric, from the series the run recorded. */
function probeUnitOf(result: RunResult, key: string): string | undefined {
  const m = /^probe:([\w-]+)\.([\w.:]+)/.exec(key);
  return result.diagnostics?.probes?.series.find((s) => s.group === m?.[1] && s.metric === m?.[2])?.unit;
}

/** The largest |actual − scheduled| over the timeline's applies and reverts, or undefined without events. */
export function maxDriftMs(result: RunResult): number | undefined {
  if (result.timeline.length === 0) return undefined;
  return Math.max(...result.timeline.map((e) => Math.abs(e.actualMs - e.scheduledMs)));
}

/** The command that replays this run with the same seed and profile. */
export function replayCommand(result: RunResult): string {
  return result.replay ?? `npx faultline chaos ${result.scenario} --seed ${result.seed} --profile ${result.profile}`;
}
