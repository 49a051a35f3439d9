import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mdCell } from './markdown.ts';
import type { RunResult, Verdict } from '../result.ts';

/** One scenario's latest run with one profile, as OVERVIEW.md lists it. */
export interface OverviewRow {
  scenario: string;
  verdict: Verdict;
  profile: string;
  seed: number;
  startedAt: string;
  runId: string;
}

/**
 * The latest run of every scenario × profile, read back from the run folders' summary.json,
 * so a run of one scenario (or profile) never drops another's row. Folders without a
 * readable summary are skipped.
 */
export async function latestRuns(reportsDir: string): Promise<OverviewRow[]> {
  const entries = await readdir(reportsDir, { withFileTypes: true }).catch(() => []);
  const latest = new Map<string, OverviewRow>();
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const row = await readRow(join(reportsDir, entry.name, 'summary.json'));
    if (!row) continue;
    // One row per scenario and profile: a stress run does not replace the smoke row.
    const key = `${row.scenario}\0${row.profile}`;
    const current = latest.get(key);
    if (!current || isNewer(row, current)) latest.set(key, row);
  }
  return [...latest.values()].sort((a, b) => a.scenario.localeCompare(b.scenario) || a.profile.localeCompare(b.profile));
}

async function readRow(file: string): Promise<OverviewRow | undefined> {
  try {
    const r = JSON.parse(await readFile(file, 'utf8')) as Partial<RunResult>;
    if (typeof r.scenario !== 'string' || typeof r.runId !== 'string' || typeof r.startedAt !== 'string') return undefined;
    if (r.verdict !== 'PASS' && r.verdict !== 'FAIL' && r.verdict !== 'INCONCLUSIVE') return undefined;
    return { scenario: r.scenario, verdict: r.verdict, profile: String(r.profile), seed: Number(r.seed), startedAt: r.startedAt, runId: r.runId };
  } catch {
    return undefined; // a run still being written, or not a run folder at all
  }
}

function isNewer(a: OverviewRow, b: OverviewRow): boolean {
  const ta = Date.parse(a.startedAt);
  const tb = Date.parse(b.startedAt);
  if (ta !== tb) return ta > tb;
  return a.runId > b.runId;
}

/** The overview table; `linkReports` is off where the run folders are not next to the text (a CI step summary). */
export function overviewTable(rows: OverviewRow[], linkReports = true): string {
  const lines = ['| Scenario | Verdict | Profile | Seed | When | Report |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const verdict = r.verdict === 'PASS' ? '✅ PASS' : r.verdict === 'INCONCLUSIVE' ? '⚠️ INCONCLUSIVE' : '❌ **FAIL**';
    const report = linkReports ? `[${mdCell(r.runId)}](${encodeURI(`${r.runId}/report.md`)})` : `\`${mdCell(r.runId)}/report.md\``;
    lines.push(`| ${mdCell(r.scenario)} | ${verdict} | ${mdCell(r.profile)} | ${r.seed} | ${mdCell(r.startedAt)} | ${report} |`);
  }
  return lines.join('\n');
}

export function renderOverview(rows: OverviewRow[]): string {
  return ['# Faultline: latest verdict of every scenario and profile', '', overviewTable(rows), ''].join('\n');
}

/** Writes via a temp file and a rename, so a reader never sees half a table. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}
