import { escapeHtml } from './escape.ts';
import { offset } from './format.ts';
import type { RunResult, SeriesPoint } from '../result.ts';
import { downsampleSteps, r, type Step, stepPath } from './steps.ts';
import { faultWindows } from './windows.ts';

export { r };
/** Steps per line in the page: a longer run's buckets are taken min/max in pairs (summary.json keeps every bucket). */
const MAX_STEPS = 600;

/** Drawing sizes in SVG user units; the SVG scales to the page width. */
export const WIDTH = 1000;
export const LEFT = 64;
export const RIGHT = 16;
const PANEL = 150;
const GAP = 34;
const PHASE_ROW = 22;
const LANE = 16;
const AXIS = 34;

interface Line {
  label: string;
  color: string;
  value: (p: SeriesPoint) => number;
}
interface Panel {
  title: string;
  /** The k6 metric whose thresholds are drawn on this panel, and the aggregates that fit its axis. */
  thresholdsOf?: { metric: string; aggregates: RegExp };
  /** The axis never goes above this (an error rate tops out at 100%). */
  ceiling?: number;
  unit: (v: number) => string;
  lines: Line[];
}

/** A bucket without requests has no latency or error rate (the runner writes 0): draw a gap, not a dip to zero. */
const measured = (p: SeriesPoint, value: number) => (p.rps > 0 ? value : Number.NaN);

const PANELS: Panel[] = [
  {
    title: 'Latency',
    thresholdsOf: { metric: 'http_req_duration', aggregates: /^(p\(\d+(\.\d+)?\)|avg|med|max|min)$/ },
    unit: (v) => (v >= 1000 ? `${trim(v / 1000)} s` : `${trim(v)} ms`),
    lines: [
      { label: 'p50', color: '#2563eb', value: (p) => measured(p, p.p50) },
      { label: 'p95', color: '#ea580c', value: (p) => measured(p, p.p95) },
    ],
  },
  { title: 'Error rate', ceiling: 1, thresholdsOf: { metric: 'http_req_failed', aggregates: /^rate$/ }, unit: (v) => `${trim(v * 100)}%`, lines: [{ label: 'errors', color: '#dc2626', value: (p) => measured(p, p.errorRate) }] },
  { title: 'Requests per second', unit: (v) => trim(v), lines: [{ label: 'req/s', color: '#16a34a', value: (p) => p.rps }] },
];

/**
 * One inline SVG with three stacked panels (latency p50/p95, error rate, req/s) over the run's
 * time, phases labelled along the top and one shaded rect per fault window across all panels.
 */
export function renderChart(result: RunResult): string {
  const windows = faultWindows(result);
  const top = PHASE_ROW + windows.length * LANE + 8;
  const height = top + PANELS.length * PANEL + (PANELS.length - 1) * GAP + AXIS;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const end = Math.max(result.durationMs, ...result.series.map((p) => p.tMs), ...result.phases.map((p) => p.endMs), 1);
  const x = (t: number) => LEFT + (Math.min(Math.max(t, 0), end) / end) * plotWidth;
  // A point stands for its whole bucket (requests by start time): drawn as a step over it, from its start,
  // so a rise never shows before the fault window it belongs to.
  const bucketMs = result.series.length > 1 ? result.series[1]!.tMs - result.series[0]!.tMs : 1000;
  const panelsBottom = top + PANELS.length * PANEL + (PANELS.length - 1) * GAP;
  const out: string[] = [];

  out.push(
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(`Latency, error rate and requests per second of ${result.scenario}`)}">`,
  );

  // Phases: a boundary line at each start, the name centred over its span.
  result.phases.forEach((phase, i) => {
    const x0 = x(phase.startMs);
    const x1 = x(phase.endMs);
    if (i > 0 || phase.startMs > 0) out.push(`<line class="phase-boundary" x1="${r(x0)}" y1="${PHASE_ROW - 4}" x2="${r(x0)}" y2="${r(panelsBottom)}"/>`);
    out.push(`<text class="phase-label" x="${r((x0 + x1) / 2)}" y="${PHASE_ROW - 8}" text-anchor="middle">${escapeHtml(phase.name)}</text>`);
  });

  // Fault windows: a lane with the fault's name above, and the shading through every panel.
  windows.forEach((w, i) => {
    const x0 = x(w.startMs);
    const wide = Math.max(x(w.endMs) - x0, 1);
    const laneY = PHASE_ROW + i * LANE;
    const title = `${w.fault} (${w.layer} → ${w.target}): ${offset(w.startMs)} – ${w.unreverted ? 'end of run, never reverted' : offset(w.endMs)}`;
    out.push(
      `<g class="fault"><title>${escapeHtml(title)}</title>`,
      `<rect class="fault-lane" x="${r(x0)}" y="${laneY + 2}" width="${r(wide)}" height="${LANE - 4}" rx="2"/>`,
      `<text class="fault-label" x="${r(x0 + 4)}" y="${laneY + LANE - 5}">${escapeHtml(w.fault)}</text>`,
      `<rect class="fault-window" x="${r(x0)}" y="${top}" width="${r(wide)}" height="${r(panelsBottom - top)}"/>`,
      '</g>',
    );
  });

  PANELS.forEach((panel, i) => out.push(renderPanel(panel, result.series, top + i * (PANEL + GAP), x, bucketMs, panel.thresholdsOf ? thresholdLines(result, panel.thresholdsOf) : [])));

  // Time axis under the last panel.
  for (const t of ticks(end, 8)) {
    out.push(
      `<line class="tick" x1="${r(x(t))}" y1="${r(panelsBottom)}" x2="${r(x(t))}" y2="${r(panelsBottom + 5)}"/>`,
      `<text class="axis" x="${r(x(t))}" y="${r(panelsBottom + 18)}" text-anchor="middle">${trim(t / 1000)} s</text>`,
    );
  }
  out.push(`<text class="axis" x="${WIDTH - RIGHT}" y="${height - 2}" text-anchor="end">time since start</text>`, '</svg>');
  return out.join('\n');
}

/** A threshold drawn as a horizontal line over the span it applies to (its phase, or the whole run). */
export interface ThresholdLine {
  value: number;
  fromMs: number;
  toMs: number;
  label: string;
  ok: boolean;
}

/** The run's thresholds on `metric` whose expression is `<aggregate> < bound` (or ≤) with a fitting aggregate, as lines. */
function thresholdLines(result: RunResult, of: { metric: string; aggregates: RegExp }): ThresholdLine[] {
  return result.thresholds.flatMap((t) => {
    const key = /^([\w.]+)(?:\{([^}]*)\})?$/.exec(t.metric);
    const expr = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*$/.exec(t.expression);
    if (!key || key[1] !== of.metric || !expr || !of.aggregates.test(expr[1]!)) return [];
    const tags = (key[2] ?? '').split(',').filter(Boolean);
    if (tags.some((tag) => !tag.startsWith('phase:'))) return [];
    const phase = result.phases.find((p) => tags.includes(`phase:${p.name}`));
    return [{ value: Number(expr[3]), fromMs: phase?.startMs ?? 0, toMs: phase?.endMs ?? result.durationMs, label: t.expression, ok: t.ok }];
  });
}

/** The dashed threshold lines of a panel, labelled with their expression at the right end. */
export function renderThresholds(lines: ThresholdLine[], x: (t: number) => number, y: (v: number) => number): string[] {
  return lines.map(
    (l) =>
      `<g class="threshold ${l.ok ? 'ok' : 'bad'}"><title>${escapeHtml(`threshold ${l.label}`)}</title><line x1="${r(x(l.fromMs))}" y1="${r(y(l.value))}" x2="${r(x(l.toMs))}" y2="${r(y(l.value))}"/>` +
      `<text x="${r(x(l.toMs) - 3)}" y="${r(y(l.value) - 3)}" text-anchor="end">${escapeHtml(l.label)}</text></g>`,
  );
}

function renderPanel(panel: Panel, series: SeriesPoint[], y0: number, x: (t: number) => number, bucketMs: number, thresholds: ThresholdLine[]): string {
  const values = series.flatMap((p) => panel.lines.map((l) => l.value(p))).filter(Number.isFinite);
  const max = Math.min(niceCeil(Math.max(0, ...values, ...thresholds.map((t) => t.value))), panel.ceiling ?? Number.POSITIVE_INFINITY);
  const y = (v: number) => y0 + PANEL - (Math.max(0, v) / max) * PANEL;
  const out = [`<g class="panel">`, `<rect class="plot" x="${LEFT}" y="${y0}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}"/>`];
  out.push(...panelFrame({ title: panel.title, y0, max, tickCount: 4, y, unit: panel.unit, legend: [...panel.lines].reverse().map((l) => ({ label: l.label, color: l.color, width: 70 })) }));
  if (series.length === 0) {
    out.push(`<text class="axis" x="${WIDTH / 2}" y="${y0 + PANEL / 2}" text-anchor="middle">no samples</text>`);
  }
  for (const line of panel.lines) {
    // One path; a bucket without a value ends the current stroke and the next value starts a new one (M).
    const steps: Step[] = series.map((p) => ({ fromMs: p.tMs, toMs: p.tMs + bucketMs, v: line.value(p) }));
    const path = stepPath(downsampleSteps(steps, MAX_STEPS), x, y);
    if (path) out.push(`<path class="series" stroke="${line.color}" d="${path}"/>`);
  }
  out.push(...renderThresholds(thresholds.filter((t) => t.value <= max), x, y));
  out.push('</g>');
  return out.join('\n');
}

/** A panel's grid, value labels, title and legend (right to left), shared by every chart of the reports. */
export function panelFrame(p: { title: string; y0: number; max: number; tickCount: number; y: (v: number) => number; unit: (v: number) => string; legend: Array<{ label: string; color: string; width: number }> }): string[] {
  const out: string[] = [];
  for (const v of ticks(p.max, p.tickCount)) {
    out.push(
      `<line class="grid" x1="${LEFT}" y1="${r(p.y(v))}" x2="${WIDTH - RIGHT}" y2="${r(p.y(v))}"/>`,
      `<text class="axis" x="${LEFT - 6}" y="${r(p.y(v) + 4)}" text-anchor="end">${escapeHtml(p.unit(v))}</text>`,
    );
  }
  out.push(`<text class="panel-title" x="${LEFT + 6}" y="${p.y0 + 15}">${escapeHtml(p.title)}</text>`);
  let legendX = WIDTH - RIGHT - 8;
  for (const item of p.legend) {
    out.push(`<text class="legend" x="${legendX}" y="${p.y0 + 15}" text-anchor="end" fill="${item.color}">━ ${escapeHtml(item.label)}</text>`);
    legendX -= item.width;
  }
  return out;
}

/** The smallest 1/2/5 × 10^n at or above `v` (at least 1 unit of something), so ticks land on round numbers. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= v * (1 - 1e-9)) return step * power;
  return 10 * power;
}

export function ticks(max: number, count: number): number[] {
  const step = niceCeil(max / count);
  const out: number[] = [];
  for (let v = 0; v <= max + step / 1000; v += step) out.push(v);
  return out;
}

export const trim = (v: number) => String(Number(v.toPrecision(3)));
