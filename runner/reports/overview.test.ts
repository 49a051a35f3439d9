import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFixture } from './testing/fixture.ts';
import { writeReports } from './index.ts';
import { useTempDirs } from './testing/temp-dir.ts';

const tempDir = useTempDirs();
const rowsOf = (overview: string) => overview.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Scenario') && !l.startsWith('| ---'));

describe('OVERVIEW.md', () => {
  it('keeps the rows of two scenarios and replaces a scenario row on a newer run', async () => {
    const dir = tempDir();
    const env = {};
    await writeReports(runFixture({ scenario: 'rpc-throttle', pass: false, runId: 'run-a1', startedAt: '2026-11-02T10:00:00.000Z' }), dir, { env });
    await writeReports(runFixture({ scenario: 'redis-outage', pass: true, runId: 'run-b1', startedAt: '2026-11-02T10:05:00.000Z' }), dir, { env });

    let rows = rowsOf(readFileSync(join(dir, 'OVERVIEW.md'), 'utf8'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe('| redis-outage | ✅ PASS | smoke | 424242 | 2026-11-02T10:05:00.000Z | [run-b1](run-b1/report.md) |');
    expect(rows[1]).toMatch(/^\| rpc-throttle \| ❌ \*\*FAIL\*\* \|.*\[run-a1\]\(run-a1\/report\.md\) \|$/);

    await writeReports(runFixture({ scenario: 'rpc-throttle', pass: true, runId: 'run-a2', startedAt: '2026-11-02T10:10:00.000Z' }), dir, { env });
    rows = rowsOf(readFileSync(join(dir, 'OVERVIEW.md'), 'utf8'));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(/^\| rpc-throttle \| ✅ PASS \|.*\[run-a2\]\(run-a2\/report\.md\) \|$/);
    expect(rows[0]).toContain('run-b1');
  });

  it('keeps one row per scenario and profile: a stress run does not replace the smoke row', async () => {
    const dir = tempDir();
    const env = {};
    await writeReports(runFixture({ scenario: 'chat-llm', runId: 'run-smoke', startedAt: '2026-11-02T10:00:00.000Z' }), dir, { env });
    await writeReports({ ...runFixture({ scenario: 'chat-llm', pass: false, runId: 'run-stress', startedAt: '2026-11-02T10:05:00.000Z' }), profile: 'stress' }, dir, { env });
    const rows = rowsOf(readFileSync(join(dir, 'OVERVIEW.md'), 'utf8'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| chat-llm \| ✅ PASS \| smoke \|.*run-smoke/);
    expect(rows[1]).toMatch(/^\| chat-llm \| ❌ \*\*FAIL\*\* \| stress \|.*run-stress/);
  });

  it('ignores folders without a readable summary', async () => {
    const dir = tempDir();
    await mkdir(join(dir, 'half-written'));
    writeFileSync(join(dir, 'half-written', 'summary.json'), '{"scenario": "x", ');
    await mkdir(join(dir, 'not-a-run'));
    await writeReports(runFixture({ runId: 'run-1' }), dir, { env: {} });
    expect(rowsOf(readFileSync(join(dir, 'OVERVIEW.md'), 'utf8'))).toHaveLength(1);
  });

  it("appends each run's closure to GITHUB_STEP_SUMMARY once (verdict, reasons, phases, artifact link), not the whole overview again", async () => {
    const dir = tempDir();
    const stepSummary = join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '## earlier step\n\n');
    const env = { GITHUB_STEP_SUMMARY: stepSummary, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '77', FAULTLINE_ARTIFACT: 'faultline-reports' };
    const paths = await writeReports(runFixture({ scenario: 'db-latency', runId: 'run-d1' }), dir, { env });
    expect(paths.stepSummary).toBe(stepSummary);
    await writeReports(runFixture({ scenario: 'rpc-throttle', pass: false, runId: 'run-r1' }), dir, { env });
    const text = readFileSync(stepSummary, 'utf8');
    expect(text.startsWith('## earlier step\n\n### PASS — db-latency (smoke profile)')).toBe(true);
    // One block per run: the first run's block is not repeated by the second.
    expect(text.match(/### PASS — db-latency/g)).toHaveLength(1);
    expect(text).toMatch(/### FAIL — rpc-throttle \(smoke profile\)\n\n\d+ of \d+ assertions failed/);
    expect(text).toContain('| fault | 392 | 18.30% | 3120 ms |');
    expect(text).not.toContain('| Scenario | Verdict |');
    expect(text.match(/in the run's artifacts \(artifact `faultline-reports`\): https:\/\/github\.com\/acme\/shop\/actions\/runs\/77#artifacts/g)).toHaveLength(2);
    const withoutSummary = await writeReports(runFixture({ scenario: 'db-latency', runId: 'run-d2' }), dir, { env: {} });
    expect(withoutSummary.stepSummary).toBeUndefined();
    expect(readFileSync(stepSummary, 'utf8')).toBe(text);
  });
});
