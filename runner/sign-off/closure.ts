import { ms, offset, percent } from '../reports/format.ts';
import { mdCell, mdInline } from '../reports/markdown.ts';
import type { FailureGroup } from './failure-samples.ts';
import { rowsTable, whatRan } from './overview.ts';
import type { SignOffPack, SignOffRow } from './types.ts';
import { verdictMark } from './verdict.ts';

/**
 * CLOSURE.md, the sign-off draft: what ran against what, the verdicts with their numbers,
 * each failure with its samples and trace ids, what the client side attributes to an
 * external dependency, and how to reproduce every row.
 */
export function renderClosure(pack: SignOffPack): string {
  const lines = [`# Sign-off: ${pack.scenarios.map(mdInline).join(', ')} — ${verdictMark(pack.verdict)}`, '', '## What ran', ''];
  lines.push(`- ${whatRan(pack)}${pack.finishedAt ? `, finished ${pack.finishedAt}` : ''}.`);
  for (const [key, value] of Object.entries(pack.context)) lines.push(`- ${mdInline(key)}: ${mdInline(value)}`);
  const levels = [...new Map(pack.rows.filter((r) => r.levels).map((r) => [r.profile, r.levels!])).entries()];
  if (levels.length > 0) {
    lines.push(`- Service levels: ${levels.map(([p, l]) => `${mdInline(p)} ≥ ${percent(l.success)} success, p95 ≤ ${ms(l.p95TotalMs)}${l.p95FirstTokenMs !== undefined ? `, first token p95 ≤ ${ms(l.p95FirstTokenMs)}` : ''}`).join('; ')}`);
  }
  lines.push('', '## Verdicts', '', ...rowsTable(pack.rows), '');

  const failing = pack.rows.filter((r) => r.verdict !== 'PASS');
  if (failing.length > 0) {
    lines.push('## Failures', '');
    for (const r of failing) lines.push(...rowFailures(r));
  }
  lines.push(...attributionSection(pack.rows));
  const replays = pack.rows.filter((r) => r.replay);
  if (replays.length > 0) {
    lines.push('## Reproduce', '', '```sh', ...replays.map((r) => r.replay!), '```', '');
  }
  return lines.join('\n');
}

function rowFailures(r: SignOffRow): string[] {
  const lines = [`### ${mdInline(r.scenario)} (${mdInline(r.profile)}): ${verdictMark(r.verdict)}`, ''];
  for (const reason of r.reasons) lines.push(`- ${mdInline(reason)}`);
  if (r.reasons.length > 0) lines.push('');
  if (r.failures && r.failures.length > 0) lines.push(...failureTable(r.failures), '');
  if (r.files) lines.push(`Report: [${mdCell(r.files.report)}](${encodeURI(r.files.report)}); raw k6 output: \`${mdCell(r.runDir ?? '')}\`.`, '');
  return lines;
}

/** The failed requests, a row per kind, with when they happened and their trace ids. */
export function failureTable(groups: FailureGroup[], limit = 10): string[] {
  const lines = ['| Request | Answer | Count | Phases | When | Attributed to | Trace ids |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const g of groups.slice(0, limit)) {
    const answer = g.status ? `HTTP ${g.status}` : `no answer${g.errorCode ? ` (k6 error ${g.errorCode})` : ''}`;
    const when = g.firstMs === g.lastMs ? offset(g.firstMs) : `${offset(g.firstMs)} – ${offset(g.lastMs)}`;
    const ids = g.traceIds.length ? g.traceIds.map((id) => `\`${mdCell(id)}\``).join(', ') : '–';
    lines.push(`| ${mdCell(`${g.method} ${g.name}`)} | ${answer} | ${g.count} | ${mdCell(g.phases.join(', '))} | ${when} | ${g.attribution} | ${ids} |`);
  }
  if (groups.length > limit) lines.push(`| … ${groups.length - limit} more kinds | | ${groups.slice(limit).reduce((n, g) => n + g.count, 0)} | | | | |`);
  return lines;
}

/** What the client side can attribute to a dependency of the app rather than to the app: gateway statuses (502, 503, 504). */
function attributionSection(rows: SignOffRow[]): string[] {
  const all = rows.flatMap((r) => (r.failures ?? []).map((g) => ({ row: r, g })));
  if (all.length === 0) return [];
  const total = all.reduce((n, x) => n + x.g.count, 0);
  const external = all.filter((x) => x.g.attribution === 'external dependency');
  const lines = ['## Attributed to an external dependency', ''];
  if (external.length === 0) {
    lines.push(`None of the ${total} failed requests answered 502, 503 or 504, the statuses an app gives when a dependency it calls fails it: they are the app's, the network's or the request's (see the tables above).`, '');
    return lines;
  }
  const count = external.reduce((n, x) => n + x.g.count, 0);
  lines.push(
    `${count} of the ${total} failed requests answered 502, 503 or 504: the app reported a dependency it calls (an LLM provider, an RPC node, a payment API) as failing. ` +
      'This is read from the status alone; confirm it with the trace ids in the app’s logs or the provider’s status page before signing off.',
    '',
  );
  for (const { row, g } of external) lines.push(`- ${mdInline(row.scenario)} (${mdInline(row.profile)}): ${g.count} × HTTP ${g.status} on ${mdInline(`${g.method} ${g.name}`)} in ${mdInline(g.phases.join(', '))}${g.traceIds.length ? `, e.g. trace ${g.traceIds.map((id) => `\`${mdInline(id)}\``).join(', ')}` : ''}`);
  lines.push('');
  return lines;
}
