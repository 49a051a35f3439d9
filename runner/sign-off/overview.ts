import { ms, percent } from '../reports/format.ts';
import { mdCell, mdInline } from '../reports/markdown.ts';
import type { SignOffPack, SignOffRow } from './types.ts';
import { verdictMark } from './verdict.ts';

/** One line per scenario × profile: verdict and the key numbers. `links` off where the files are not beside the text (a CI job summary). */
export function rowsTable(rows: SignOffRow[], links = true): string[] {
  const streamed = rows.some((r) => r.numbers?.p95FirstTokenMs !== undefined);
  const headers = ['Scenario', 'Profile', 'Verdict', 'Requests', 'Success rate', 'p95 total', ...(streamed ? ['p95 first token'] : []), 'Report'];
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const n = r.numbers;
    const report = !r.files ? '–' : links ? `[${mdCell(r.files.report)}](${encodeURI(r.files.report)})` : `\`${mdCell(r.files.report)}\``;
    const cells = [
      mdCell(r.scenario),
      mdCell(r.profile),
      verdictMark(r.verdict),
      n ? String(n.requests) : '–',
      n ? percent(n.successRate) : '–',
      n ? ms(n.p95TotalMs) : '–',
      ...(streamed ? [ms(n?.p95FirstTokenMs)] : []),
      report,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** OVERVIEW.md of a sign-off folder: the verdict, what ran against what, a row per scenario × profile, the earlier attempts. */
export function renderSignOffOverview(pack: SignOffPack): string {
  const lines = [`# Faultline sign-off: ${verdictMark(pack.verdict)}`, '', `${whatRan(pack)}.`, '', ...rowsTable(pack.rows), ''];
  const problems = pack.rows.filter((r) => r.verdict !== 'PASS' && r.reasons.length > 0);
  if (problems.length > 0) {
    lines.push('## Why', '');
    for (const r of problems) lines.push(`- **${mdInline(r.scenario)} (${mdInline(r.profile)})**: ${mdInline(r.reasons[0]!)}${r.reasons.length > 1 ? ` (+${r.reasons.length - 1} more)` : ''}`);
    lines.push('');
  }
  if (pack.attempts.length > 0) {
    lines.push('## Attempts', '', `- this one: \`.\` (${pack.startedAt}) ${verdictMark(pack.verdict)}`);
    for (const a of pack.attempts) lines.push(`- [${mdCell(a.dir)}](${encodeURI(`${a.dir}/OVERVIEW.md`)}) (${a.startedAt}) ${verdictMark(a.verdict)}`);
    lines.push('');
  }
  lines.push('Files: `CLOSURE.md` (the sign-off draft), `COMMENT.md` (paste-ready), `FINAL-STEPS.md` (what is left to check)' + (pack.verdict === 'PASS' ? ', `CLOSE-COMMANDS.sh` (comment and close the issue).' : '. `CLOSE-COMMANDS.sh` is written only when every row passes.'), '');
  return lines.join('\n');
}

/** "chat-llm × smoke, baseline, stress against https://… on 2026-11-02T10:00:00Z". */
export function whatRan(pack: SignOffPack): string {
  return `${pack.scenarios.map(mdInline).join(', ')} × ${pack.profiles.map(mdInline).join(', ')} against ${mdInline(pack.target)}${pack.remote ? ' (deployed, not on this machine)' : ''}, started ${pack.startedAt}`;
}
