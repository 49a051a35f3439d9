import type { RunResult } from '../result.ts';
import type { ProbeSeries } from '../probes/series.ts';
import { parseProbeExpression, parseProbeKey } from '../probes/thresholds.ts';
import { LEFT, niceCeil, panelFrame, r, RIGHT, renderThresholds, type ThresholdLine, ticks, trim, WIDTH } from './chart.ts';
import { escapeHtml } from './escape.ts';
import { downsampleSteps, type Step, stepPath } from './steps.ts';
import { faultWindows } from './windows.ts';

const PANEL = 90;
const GAP = 26;
const TOP = 26;
const AXIS = 30;
/** Panels per group and lines per panel: the rest is in the tables and summary.json. */
const MAX_PANELS = 4;
const MAX_LINES = 4;
/** Steps per line in the page; longer series are taken min/max in pairs (summary.json keeps every point). */
const MAX_POINTS = 100;
const COLORS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea'];
/** The metrics a group's chart shows first, when nothing has a threshold on it. */
const PRIORITY = ['cpu', 'rss_mb', 'hit_ratio', 'connections', 'refused', 'waiting', 'memory_ratio', 'tps', 'waiting_locks', 'requests', 'active', 'evictions', 'ops', 'latency_us', 'clients'];

/**
 * The report's probes section: one chart per probe group (a service's process and its own
 * probe share the group), one panel per metric with a line per label set, fault windows
 * shaded, gaps greyed, and the probe thresholds drawn as lines over their phase.
 */
export function renderProbeCharts(result: RunResult): string {
  const probes = result.diagnostics?.probes;
  if (!probes || probes.series.length === 0) return '';
  const groups = [...new Set(probes.series.map((s) => s.group))];
  const charts = groups.map((group) => renderGroup(result, group, probes.series.filter((s) => s.group === group), probes.intervalMs)).join('\n');
  return `<section>
<h2>Probes</h2>
<p class="hint">Sampled every ${trim(probes.intervalMs / 1000)} s on the run's clock; each step covers the interval before its sample. Shaded: fault windows; grey: the probe got no answer; dashed: probe thresholds.</p>
${charts}
</section>`;
}

function renderGroup(result: RunResult, group: string, series: ProbeSeries[], intervalMs: number): string {
  const thresholds = result.thresholds.filter((t) => t.source === 'probe').flatMap((t) => {
    const sel = parseProbeKey(t.metric);
    const expr = parseProbeExpression(t.expression);
    if (typeof sel === 'string' || sel.group !== group || !expr || !/[<>]/.test(expr.op)) return [];
    const phase = result.phases.find((p) => p.name === sel.phase);
    return [{ metric: sel.metric, line: { value: expr.bound, fromMs: phase?.startMs ?? 0, toMs: phase?.endMs ?? result.durationMs, label: `${t.expression}${Object.keys(sel.labels).length ? ` {${Object.entries(sel.labels).map(([k, v]) => `${k}=${v}`).join(',')}}` : ''}`, ok: t.ok } }];
  });
  const metrics = [...new Set(series.map((s) => s.metric))];
  const rank = (m: string) => (thresholds.some((t) => t.metric === m) ? -1 : PRIORITY.includes(m) ? PRIORITY.indexOf(m) : PRIORITY.length);
  const shown = metrics.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_PANELS);
  const end = Math.max(result.durationMs, ...result.phases.map((p) => p.endMs), 1);
  const x = (t: number) => LEFT + (Math.min(Math.max(t, 0), end) / end) * (WIDTH - LEFT - RIGHT);
  const height = TOP + shown.length * (PANEL + GAP) - GAP + AXIS;
  const bottom = TOP + shown.length * (PANEL + GAP) - GAP;
  const out = [`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(`Probe ${group}`)}">`, `<text class="panel-title" x="${LEFT}" y="14">${escapeHtml(group)}</text>`];
  result.phases.forEach((p, i) => {
    if (i > 0) out.push(`<line class="phase-boundary" x1="${r(x(p.startMs))}" y1="${TOP - 6}" x2="${r(x(p.startMs))}" y2="${r(bottom)}"/>`);
    out.push(`<text class="phase-label" x="${r((x(p.startMs) + x(p.endMs)) / 2)}" y="14" text-anchor="middle">${escapeHtml(p.name)}</text>`);
  });
  for (const w of faultWindows(result)) out.push(`<rect class="fault-window" x="${r(x(w.startMs))}" y="${TOP}" width="${r(Math.max(1, x(w.endMs) - x(w.startMs)))}" height="${r(bottom - TOP)}"><title>${escapeHtml(w.fault)}</title></rect>`);
  for (const g of result.diagnostics?.probes?.gaps.filter((g) => g.group === group) ?? []) {
    out.push(`<rect class="gap" x="${r(x(g.fromMs - intervalMs))}" y="${TOP}" width="${r(Math.max(1, x(g.toMs) - x(g.fromMs - intervalMs)))}" height="${r(bottom - TOP)}"><title>${escapeHtml(`no answer: ${g.error}`)}</title></rect>`);
  }
  shown.forEach((metric, i) => {
    const lines = series
      .filter((s) => s.metric === metric)
      .sort((a, b) => Math.max(...b.points.map((p) => p.v)) - Math.max(...a.points.map((p) => p.v)))
      .slice(0, MAX_LINES);
    out.push(renderPanel(metric, lines, TOP + i * (PANEL + GAP), x, intervalMs, thresholds.filter((t) => t.metric === metric).map((t) => t.line)));
  });
  for (const t of ticks(end, 8)) out.push(`<text class="axis" x="${r(x(t))}" y="${r(bottom + 16)}" text-anchor="middle">${trim(t / 1000)} s</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function renderPanel(metric: string, lines: ProbeSeries[], y0: number, x: (t: number) => number, intervalMs: number, thresholds: ThresholdLine[]): string {
  const unit = lines[0]?.unit ?? '';
  const percent = unit === '%';
  const fmt = (v: number) => (percent ? `${trim(v * 100)}%` : `${trim(v)}${unit && unit !== '/s' ? ` ${unit}` : ''}`);
  const values = lines.flatMap((l) => l.points.map((p) => p.v));
  const max = Math.min(niceCeil(Math.max(0, ...values, ...thresholds.map((t) => t.value))), percent ? 1 : Number.POSITIVE_INFINITY);
  const y = (v: number) => y0 + PANEL - (Math.max(0, Math.min(v, max)) / max) * PANEL;
  const out = [`<g class="panel">`, `<rect class="plot" x="${LEFT}" y="${y0}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}"/>`];
  const labelOf = (line: ProbeSeries) => Object.entries(line.labels).map(([k, v]) => `${k}=${v}`).join(',').slice(0, 40);
  const legend = lines.map((line, i) => ({ label: labelOf(line), color: COLORS[i]!, width: labelOf(line).length * 6.5 + 24 })).filter((l) => l.label);
  out.push(...panelFrame({ title: `${metric}${unit === '/s' ? ' (per second)' : ''}`, y0, max, tickCount: 2, y, unit: fmt, legend }));
  lines.forEach((line, i) => {
    // Each sample covers the interval before it; a missing tick (a gap) ends the stroke.
    const steps: Step[] = line.points.map((p) => ({ fromMs: p.tMs - intervalMs, toMs: p.tMs, v: p.v }));
    const path = stepPath(downsampleSteps(steps, MAX_POINTS), x, y);
    if (path) out.push(`<path class="series" stroke="${COLORS[i]}" d="${path}"/>`);
  });
  out.push(...renderThresholds(thresholds.filter((t) => t.value <= max), x, y), '</g>');
  return out.join('\n');
}
