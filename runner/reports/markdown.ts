import { countsOf, reasonsOf } from './assertions.ts';
import { drift, ms } from './format.ts';
import { type Cell, contextTable, isStatus, maxDriftMs, replayCommand, statusLabel, type Table, tablesOf } from './tables.ts';
import type { RunResult } from '../result.ts';
import { loadLines } from './load.ts';

/** report.md: the verdict and its reasons first, then the tables that explain them. */
export function renderMarkdown(result: RunResult): string {
  const lines: string[] = [...verdictLines(result), ''];
  lines.push(
    `| Scenario | Profile | Seed | Started | Duration | Target |`,
    `| --- | --- | --- | --- | --- | --- |`,
    `| ${mdCell(result.scenario)} | ${mdCell(result.profile)} | ${result.seed} | ${mdCell(result.startedAt)} | ${ms(result.durationMs)} | ${mdCell(result.target)} |`,
    '',
  );
  if (result.description) lines.push(...result.description.split('\n').map((l) => `> ${l}`), '');
  for (const table of tablesOf(result)) {
    lines.push(...markdownTable(table));
    if (table.title === 'Fault timeline' && result.timeline.length > 0) {
      lines.push('', `Largest drift between scheduled and actual time: ${drift(maxDriftMs(result)!)}.`);
    }
    lines.push('');
  }
  lines.push('## Replay', '', 'Same seed, same profile:', '', '```sh', replayCommand(result), '```', '');
  lines.push(...markdownTable(contextTable(result)), '');
  return lines.join('\n');
}

/** `# PASS — scenario (profile)` and the one-line reasons; shared with the closure note. */
export function verdictLines(result: RunResult, heading = '#'): string[] {
  const load = loadLines(result).map((l) => `Load: ${mdInline(l)}`);
  return [...verdictHead(result, heading), ...(load.length ? ['', ...load.flatMap((l, i) => (i ? ['', l] : [l]))] : [])];
}

function verdictHead(result: RunResult, heading: string): string[] {
  const counts = countsOf(result);
  const title = `${heading} ${result.verdict} — ${mdInline(result.scenario)} (${mdInline(result.profile)} profile)`;
  if (result.verdict === 'PASS') {
    return [title, '', `All ${counts.total} assertions held: ${counts.text}.`];
  }
  if (result.inconclusive) {
    return [title, '', `Inconclusive (${result.inconclusive.kind}): ${mdInline(result.inconclusive.detail)}.`];
  }
  const reasons = reasonsOf(result);
  return [
    title,
    '',
    `${counts.failed} of ${counts.total} assertions failed (${counts.text}):`,
    '',
    ...(reasons.length > 0 ? reasons : ['the runner reported FAIL without a reason']).map((r) => `- ${mdInline(r)}`),
  ];
}

export function markdownTable(table: Table, level = '##'): string[] {
  const out = [`${level} ${table.title}`, ''];
  if (table.rows.length === 0) return [...out, `_${table.empty}_`];
  out.push(`| ${table.headers.map(mdCell).join(' | ')} |`, `| ${table.headers.map(() => '---').join(' | ')} |`);
  for (const row of table.rows) out.push(`| ${row.map(renderCell).join(' | ')} |`);
  return out;
}

function renderCell(cell: Cell): string {
  if (!isStatus(cell)) return mdCell(cell);
  return `${cell.ok ? '✅' : '❌'} ${cell.ok ? mdCell(statusLabel(cell)) : `**${mdCell(statusLabel(cell))}**`}`;
}

/** Text for a table cell: pipes escaped, newlines folded, HTML-ish brackets neutralised. */
export function mdCell(text: string): string {
  return mdInline(text).replace(/\|/g, '\\|');
}

/**
 * One line of markdown text that cannot open an HTML tag or break the line structure.
 * Only a `<` that could start a tag is escaped, so `p(95)<2000` stays readable as plain text.
 */
export function mdInline(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/<(?=[A-Za-z\/!?])/g, '&lt;');
}
