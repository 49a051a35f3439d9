import type { ProbeSeries } from '../probes/series.ts';
import type { RunResult } from '../result.ts';
import { ms, offset } from './format.ts';
import { readable } from './readable.ts';
import type { Cell, Table } from './tables.ts';

/** At most this many probe rows: the rest is in summary.json. */
const MAX_PROBE_ROWS = 60;
const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

/**
 * The diagnostics' tables, in reading order: why it failed (attribution), the steady-state
 * gate, what each phase answered (status breakdown), the failure samples, the plan
 * checks, and what the probes saw per phase. Empty ones are left out.
 */
export function diagnosticTables(result: RunResult): Table[] {
  const d = result.diagnostics;
  if (!d) return [];
  const tables: Table[] = [];
  if (d.attribution.length > 0) {
    tables.push({
      title: 'Why it failed',
      headers: ['Threshold', 'Window', 'What was going on'],
      empty: '',
      rows: d.attribution.map((a) => [a.threshold, `${a.window.phase ? `${a.window.phase}: ` : ''}${offset(a.window.fromMs)} – ${offset(a.window.toMs)}`, a.notes.join('; ') || 'no fault or probe signal in this window']),
    });
  }
  if (d.steadyState) {
    const s = d.steadyState;
    tables.push({
      title: 'Steady state',
      headers: ['Phase', 'Judged at', 'Broken', 'Left to the post-run check', 'Result'],
      empty: '',
      rows: [[s.phase, offset(s.checkedAtMs), s.broken.join('; ') || 'none', s.deferred.join('; ') || 'none', { ok: s.ok, label: s.ok ? 'held: faults went ahead' : 'broken: no fault applied' }]],
    });
  }
  if (d.statusBreakdown.some((p) => p.requests > 0)) {
    tables.push({
      title: 'Responses by status',
      headers: ['Phase', 'Requests', '2xx', '3xx', '4xx', '5xx', 'Timeouts', 'Connection errors', 'Other errors'],
      empty: '',
      rows: d.statusBreakdown.map((p) => {
        const codes = (prefix: string) =>
          Object.entries(p.byStatus)
            .filter(([k]) => k.startsWith(prefix) && k.length === 3 && k !== `${prefix}xx`)
            .map(([k, n]) => `${k} ×${n}`)
            .join(', ') || '0';
        const other = Object.entries(p.otherErrors).map(([k, n]) => `k6 ${k} ×${n}`).join(', ') || '0';
        return [p.phase, String(p.requests), String(p.byStatus['2xx'] ?? 0), String(p.byStatus['3xx'] ?? 0), codes('4'), codes('5'), String(p.timeouts), String(p.connectionErrors), other];
      }),
    });
  }
  if (d.failureSamples.length > 0) {
    tables.push({
      title: 'Failure samples',
      headers: ['At', 'Phase', 'Kind', 'Request', 'Status', 'Time', 'Request / trace id', 'Found in', 'Body'],
      empty: '',
      rows: d.failureSamples.map((s) => [
        offset(s.tMs),
        s.phase,
        s.kind,
        `${s.method} ${s.name}`,
        s.status ? String(s.status) : `none${s.errorCode ? ` (k6 ${s.errorCode})` : ''}${s.error ? `: ${s.error}` : ''}`,
        ms(s.durationMs),
        [s.requestId, s.traceparent, s.header ? `${s.header.name}: ${s.header.value}` : undefined].filter(Boolean).join(' · ') || '–',
        s.foundIn?.join(', ') || (s.requestId || s.traceparent ? 'in no service log' : '–'),
        s.body ? s.body.replace(/\s+/g, ' ').slice(0, 120) : '',
      ]),
    });
  }
  if (d.plans.length > 0) {
    tables.push({
      title: 'Plan checks',
      headers: ['Query', 'Expected in the plan', 'Plan', 'Result'],
      empty: '',
      rows: d.plans.map((p): Cell[] => [p.name, p.expect, p.plan, { ok: p.ok }]),
    });
  }
  const probes = d.probes;
  if (probes && probes.series.length > 0) {
    const phases = result.phases.map((p) => p.name);
    const sorted = [...probes.series].sort((a, b) => a.group.localeCompare(b.group));
    const rows = sorted.slice(0, MAX_PROBE_ROWS).map((s) => [`${s.group}.${s.metric}${Object.keys(s.labels).length ? `{${labelText(s.labels)}}` : ''}`, ...phases.map((phase) => phaseValue(s, phase))]);
    tables.push({
      title: 'Probes',
      headers: ['Series', ...phases.map((p) => `${p} (avg · max)`)],
      empty: '',
      rows: probes.series.length > MAX_PROBE_ROWS ? [...rows, [`… ${probes.series.length - MAX_PROBE_ROWS} more series in summary.json`, ...phases.map(() => '')]] : rows,
    });
    const facts = Object.entries(probes.facts).flatMap(([group, f]) => Object.entries(f).map(([k, v]) => [group, k, v]));
    const gaps = probes.gaps.map((g) => [g.group, `no answer ${offset(g.fromMs)} – ${offset(g.toMs)} (${g.ticks} tick${g.ticks === 1 ? '' : 's'})`, g.error]);
    if (facts.length + gaps.length > 0) tables.push({ title: 'Probe settings and gaps', headers: ['Probe', 'Setting / gap', 'Value'], empty: '', rows: [...facts, ...gaps] });
  }
  return tables;
}

/** "0.93 · 1.2" for a gauge, "Σ 312 · 41 /s" for a counter, the pooled ratio for a ratio. */
function phaseValue(s: ProbeSeries, phase: string): string {
  const points = s.points.filter((p) => p.phase === phase);
  if (points.length === 0) return '–';
  const fmt = (v: number) => readable(s.metric, 'value', v, s.unit === '/s' ? '' : s.unit);
  if (s.kind === 'counter') {
    const total = points.reduce((sum, p) => sum + (p.n ?? 0), 0);
    return `Σ ${Math.round(total)} · max ${fmt(Math.max(...points.map((p) => p.v)))}/s`;
  }
  if (s.kind === 'ratio') {
    const d = points.reduce((sum, p) => sum + (p.d ?? 0), 0);
    return d > 0 ? fmt(points.reduce((sum, p) => sum + (p.n ?? 0), 0) / d) : '–';
  }
  const values = points.map((p) => p.v);
  return `${fmt(values.reduce((a, b) => a + b, 0) / values.length)} · ${fmt(Math.max(...values))}`;
}
