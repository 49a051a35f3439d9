import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../runner/run.ts';
import { resolveScenario } from '../runner/scenario.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { useTinyTarget } from './support/tiny-target.ts';

const run = promisify(execFile);
const script = join(REPO_ROOT, 'test/fixtures/tiny-target/load.js');
const quiet = { write: () => true };

// Real k6 against the tiny target: what a k6 user expects to keep (abortOnFail, their outputs and flags, the summary).
describe('k6 features a run keeps', () => {
  const config = testConfig({ services: { redis: true } });
  const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-reports-'));
  const suite = useTinyTarget(config);

  const scenario = (extra: Record<string, unknown>) =>
    resolveScenario(
      { name: 'tiny-k6', description: 'steady load on the tiny target', services: ['redis'], load: { script, profiles: { smoke: { rps: 20 } } }, phases: [{ name: 'baseline', duration: '1s' }, { name: 'fault', duration: '1m30s' }], ...extra },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );

  it('stops the run when an abortOnFail threshold is crossed, and the report says so', async () => {
    const s = scenario({
      faults: [{ fault: 'latency', target: 'redis', at: 'fault', params: { latency: 200 } }],
      assertions: { thresholds: { 'http_req_duration{phase:fault}': [{ threshold: 'p(95)<100', abortOnFail: true, delayAbortEval: '1s' }] }, profileThresholds: false },
    });
    const { result, exitCode, runDir } = await runScenario({ scenario: s, config, target: suite.target.url, reportsDir, out: quiet });
    expect(exitCode).toBe(1);
    expect(result.verdict).toBe('FAIL');
    // 91 s planned; k6 stopped a few seconds into the fault.
    expect(result.durationMs).toBeLessThan(30_000);
    expect(result.reasons[0]).toMatch(/^k6 stopped the run early, after [\d.]+ (s|ms): an abortOnFail threshold on http_req_duration\{phase:fault\} was crossed/);
    expect(result.context.abortedBy).toBe('abortOnFail threshold on http_req_duration{phase:fault}');
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toMatch(/k6 stopped the run early/);
    expect(((await (await fetch(`${suite.environment.toxiproxyUrl}/proxies/redis`)).json()) as { toxics: unknown[] }).toxics).toEqual([]);
  }, 120_000);

  it("adds K6_OUT's outputs and --out/--k6-arg flags beside Faultline's own output, and keeps k6's summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-k6-out-'));
    const csv = join(dir, 'from-env.csv');
    const json = join(dir, 'from-flag.json');
    const s = scenario({ phases: [{ name: 'baseline', duration: '2s' }], load: { script, profiles: { smoke: { rps: 10 } }, env: { K6_OUT: `csv=${csv}` } } });
    const { result, runDir } = await runScenario({ scenario: s, config, target: suite.target.url, reportsDir, out: quiet, k6Args: ['--out', `json=${json}`, '--tag', 'team=web'] });
    expect(result.verdict).toBe('PASS');
    expect(result.phases[0]!.requests).toBeGreaterThan(10);
    expect(readFileSync(csv, 'utf8')).toMatch(/http_req_duration/);
    expect(readFileSync(json, 'utf8')).toMatch(/"team":"web"/);
    expect(readFileSync(join(runDir, 'k6-points.json'), 'utf8')).toMatch(/"team":"web"/);
    expect(readFileSync(join(runDir, 'k6-summary.txt'), 'utf8')).toMatch(/http_req_duration/);
    expect(result.context.k6Args).toBe(`--out csv=${csv} --out json=${json} --tag team=web`);
  }, 60_000);

  it("prints k6's end-of-test summary after the verdict with --k6-summary, and takes k6 flags after --", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-k6-summary-'));
    const configFile = join(dir, 'faultline.config.ts');
    writeFileSync(configFile, `export default ${JSON.stringify(config)};\n`);
    const scenarioFile = join(dir, 'scenario.ts');
    writeFileSync(
      scenarioFile,
      `export default { name: 'tiny-summary', description: 'x', services: ['redis'], load: { script: ${JSON.stringify(script)}, profiles: { smoke: { rps: 5 } } }, phases: [{ name: 'a', duration: '1s' }] };\n`,
    );
    const { stderr } = await run('npx', ['tsx', 'scripts/cli.ts', '-c', configFile, 'chaos', scenarioFile, '--target', suite.target.url, '--reports', reportsDir, '--k6-summary', '--', '--tag', 'via=dashes'], { cwd: REPO_ROOT });
    const verdictAt = stderr.indexOf('PASS: tiny-summary');
    const summaryAt = stderr.indexOf("k6's end-of-test summary");
    expect(verdictAt, stderr).toBeGreaterThan(-1);
    expect(summaryAt).toBeGreaterThan(verdictAt);
    expect(stderr.slice(summaryAt)).toMatch(/TOTAL RESULTS[\s\S]*http_reqs/);
    const runDir = /report: (\S+)/.exec(stderr)![1]!;
    expect(readFileSync(join(runDir, 'k6-points.json'), 'utf8')).toMatch(/"via":"dashes"/);
    expect(existsSync(join(runDir, 'k6-summary.txt'))).toBe(true);
  }, 60_000);
});
