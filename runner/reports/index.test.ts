import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFixture } from './testing/fixture.ts';
import { RunIdInvalidError, writeReports } from './index.ts';
import { useTempDirs } from './testing/temp-dir.ts';

const tempDir = useTempDirs();

describe('writeReports', () => {
  it.each([true, false])('writes every report file into <reportsDir>/<runId>/ (pass=%s)', async (pass) => {
    const dir = tempDir();
    const result = runFixture({ pass });
    const paths = await writeReports(result, dir, { env: {} });
    expect(paths.dir).toBe(join(dir, result.runId));
    const files = Object.entries(paths).filter(([key]) => key !== 'dir' && key !== 'stepSummary');
    expect(files.map(([key]) => key).sort()).toEqual(['closureMd', 'junitXml', 'overviewMd', 'reportHtml', 'reportMd', 'summaryJson']);
    for (const [, file] of files) {
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8').length).toBeGreaterThan(100);
    }
    expect(paths.overviewMd).toBe(join(dir, 'OVERVIEW.md'));
    expect(readFileSync(paths.reportMd, 'utf8').startsWith(`# ${pass ? 'PASS' : 'FAIL'} `)).toBe(true);
    expect(readFileSync(paths.closureMd, 'utf8')).toContain(`Full report: \`${paths.reportMd}\``);
  });

  it('writes summary.json as the RunResult itself, pretty-printed', async () => {
    const result = runFixture({ pass: false });
    const paths = await writeReports(result, tempDir(), { env: {} });
    const text = readFileSync(paths.summaryJson, 'utf8');
    expect(JSON.parse(text)).toEqual(result);
    expect(text).toContain('\n  "scenario": "rpc-throttle",\n');
  });

  it('renders a run that produced nothing (no phases, series, faults or assertions) without throwing', async () => {
    const empty = { ...runFixture(), verdict: 'FAIL' as const, reasons: ['k6 exited before sending a request'], phases: [], timeline: [], thresholds: [], recovery: [], invariants: [], series: [], context: {} };
    const paths = await writeReports(empty, tempDir(), { env: {} });
    const md = readFileSync(paths.reportMd, 'utf8');
    expect(md).toMatch(/^# FAIL — rpc-throttle \(smoke profile\)\n\n0 of 0 assertions failed .*:\n\n- k6 exited before sending a request\n/);
    expect(md).toContain('_The scenario plays no faults._');
    const html = readFileSync(paths.reportHtml, 'utf8');
    expect(html).toContain('no samples');
    expect(html).not.toContain('class="fault-window"');
    expect(html).not.toContain('NaN');
  });

  it.each(['../escape', 'a/b', '..', ''])('refuses the run id %j, which would not name one folder inside reportsDir', async (runId) => {
    await expect(writeReports({ ...runFixture(), runId }, tempDir(), { env: {} })).rejects.toThrow(RunIdInvalidError);
  });
});
