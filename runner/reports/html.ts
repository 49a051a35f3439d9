import { countsOf, reasonsOf } from './assertions.ts';
import { renderChart } from './chart.ts';
import { renderProbeCharts } from './probe-charts.ts';
import { escapeHtml as h } from './escape.ts';
import { drift, ms } from './format.ts';
import { type Cell, contextTable, isStatus, maxDriftMs, replayCommand, statusLabel, type Table, tablesOf } from './tables.ts';
import type { RunResult } from '../result.ts';
import { loadLines } from './load.ts';

/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, fonts or links out),
 * so it opens offline and from a CI artifact. Every piece of run text goes through escapeHtml.
 */
export function renderHtml(result: RunResult): string {
  const counts = countsOf(result);
  const pass = result.verdict === 'PASS';
  const summary = pass
    ? `All ${counts.total} assertions held: ${counts.text}.`
    : result.inconclusive
      ? `Inconclusive (${result.inconclusive.kind}): ${result.inconclusive.detail}.`
      : `${counts.failed} of ${counts.total} assertions failed (${counts.text}):`;
  const reasons = pass || result.inconclusive ? [] : reasonsOf(result);
  const largestDrift = maxDriftMs(result);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(`${result.verdict} — ${result.scenario} (${result.profile})`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="verdict ${pass ? 'pass' : result.inconclusive ? 'inconclusive' : 'fail'}">
<h1><span class="badge">${result.verdict}</span> ${h(result.scenario)} <small>${h(result.profile)} profile</small></h1>
<p>${h(summary)}</p>
${reasons.length > 0 ? `<ul class="reasons">${reasons.map((x) => `<li>${h(x)}</li>`).join('')}</ul>` : ''}
${loadLines(result).map((l) => `<p class="load">Load: ${h(l)}</p>`).join('\n')}
</header>
<main>
<dl class="meta">
${meta('Run', result.runId)}${meta('Started', result.startedAt)}${meta('Duration', ms(result.durationMs))}${meta('Seed', String(result.seed))}${meta('Target', result.target)}
</dl>
${result.description ? `<p class="description">${h(result.description)}</p>` : ''}
<section>
<h2>Over time</h2>
<p class="hint">Shaded: fault windows, from actual apply to actual revert. Dashed lines: phase boundaries.</p>
${renderChart(result)}
</section>
${renderProbeCharts(result)}
${tablesOf(result)
  .map((t) => htmlTable(t, t.title === 'Fault timeline' && largestDrift !== undefined ? `Largest drift between scheduled and actual time: ${drift(largestDrift)}.` : ''))
  .join('\n')}
<section>
<h2>Replay</h2>
<p>Same seed, same profile:</p>
<pre><code>${h(replayCommand(result))}</code></pre>
</section>
${htmlTable(contextTable(result))}
</main>
</body>
</html>
`;
}

function meta(term: string, value: string): string {
  return `<div><dt>${h(term)}</dt><dd>${h(value)}</dd></div>`;
}

function htmlTable(table: Table, note = ''): string {
  const body =
    table.rows.length === 0
      ? `<p class="empty">${h(table.empty)}</p>`
      : `<table>
<thead><tr>${table.headers.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead>
<tbody>
${table.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n')}
</tbody>
</table>`;
  return `<section>\n<h2>${h(table.title)}</h2>\n${body}${note ? `\n<p class="note">${h(note)}</p>` : ''}\n</section>`;
}

function cell(c: Cell): string {
  if (!isStatus(c)) return `<td>${h(c)}</td>`;
  return `<td class="status ${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓' : '✗'} ${h(statusLabel(c))}</td>`;
}

const STYLE = `
:root { color-scheme: light; --pass: #15803d; --fail: #b91c1c; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f9fafb; }
header.verdict { padding: 20px 32px; color: #fff; }
header.pass { background: var(--pass); }
header.fail { background: var(--fail); }
header.inconclusive { background: #b45309; }
h1 { margin: 0 0 6px; font-size: 24px; }
h1 small { font-weight: 400; opacity: .85; font-size: 16px; }
.badge { display: inline-block; padding: 2px 10px; margin-right: 6px; border: 2px solid #fff; border-radius: 6px; letter-spacing: .05em; }
header p { margin: 4px 0; font-size: 15px; }
.reasons { margin: 6px 0 0; padding-left: 20px; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 32px 40px; }
.meta { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 16px 0; }
.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.meta dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
.description { margin: 0 0 12px; padding: 8px 12px; border-left: 3px solid var(--line); background: #fff; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.hint, .note, .empty { color: var(--muted); margin: 4px 0 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f4f6; font-weight: 600; }
td.status.ok { color: var(--pass); font-weight: 600; }
td.status.bad { color: var(--fail); font-weight: 700; background: #fef2f2; }
pre { background: #111827; color: #f9fafb; padding: 10px 14px; border-radius: 6px; overflow-x: auto; }
svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
svg .plot { fill: none; stroke: #d1d5db; }
svg .grid { stroke: #f1f5f9; }
svg .tick { stroke: #9ca3af; }
svg .axis { font-size: 11px; fill: var(--muted); }
svg .panel-title { font-size: 12px; font-weight: 600; fill: var(--ink); }
svg .legend { font-size: 12px; font-weight: 600; }
svg .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
svg .phase-boundary { stroke: #6b7280; stroke-dasharray: 4 4; }
svg .phase-label { font-size: 12px; font-weight: 600; fill: #374151; }
svg .fault-window { fill: rgba(220, 38, 38, .09); stroke: rgba(220, 38, 38, .45); stroke-dasharray: 3 3; }
svg .fault-lane { fill: rgba(220, 38, 38, .22); }
svg .fault-label { font-size: 10px; fill: #991b1b; font-weight: 600; }
svg .threshold line { stroke: #7c3aed; stroke-width: 1.2; stroke-dasharray: 6 3; }
svg .threshold.bad line { stroke: #b91c1c; }
svg .threshold text { font-size: 10px; fill: #5b21b6; }
svg .threshold.bad text { fill: #b91c1c; font-weight: 600; }
svg .gap { fill: rgba(107, 114, 128, .18); }
`;
