import { mdInline } from '../reports/markdown.ts';
import { rowsTable, whatRan } from './overview.ts';
import type { SignOffPack } from './types.ts';
import { verdictMark } from './verdict.ts';

/** COMMENT.md: what to paste into the tracking issue. No links into the folder (they would not resolve there); the replay lines instead. */
export function renderComment(pack: SignOffPack): string {
  const lines = [`**Faultline sign-off: ${verdictMark(pack.verdict).replace(/\*\*/g, '')}** — ${whatRan(pack)}.`, '', ...rowsTable(pack.rows, false), ''];
  const failing = pack.rows.filter((r) => r.verdict !== 'PASS');
  if (failing.length > 0) {
    lines.push('Not passing:', '');
    for (const r of failing) lines.push(`- ${mdInline(r.scenario)} (${mdInline(r.profile)}): ${mdInline(r.reasons[0] ?? r.verdict)}`);
    lines.push('');
  }
  const replays = pack.rows.filter((r) => r.replay).map((r) => r.replay!);
  if (replays.length > 0) lines.push('<details><summary>Reproduce</summary>', '', '```sh', ...replays, '```', '', '</details>', '');
  return lines.join('\n');
}
