import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Toolbox } from '../env/tools/toolbox.ts';
import { analyseResults } from '../runner/analyse.ts';
import { exportK8s } from '../runner/export/k8s.ts';
import type { DistributedPlan } from '../runner/export/plan-file.ts';
import { runScenario } from '../runner/run.ts';
import { resolveScenario, type Scenario } from '../runner/scenario.ts';
import { TimelineExecutor } from '../runner/timeline.ts';
import { faultContextOf } from '../toxics/index.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { useTinyTarget } from './support/tiny-target.ts';

const run = promisify(execFile);
const quiet = { write: () => true };

const scenario = (name: string, fault: Record<string, unknown>) =>
  resolveScenario(
    {
      name,
      description: 'the tiny target under a fault in its middle phase',
      services: ['redis'],
      load: { script: join(REPO_ROOT, 'test/fixtures/tiny-target/load.js'), profiles: { smoke: { rps: 20 } } },
      phases: [
        { name: 'baseline', duration: '2s' },
        { name: 'fault', duration: '2s' },
        { name: 'recovery', duration: '2s' },
      ],
      faults: [{ target: 'redis', at: 'fault', ...fault }],
      assertions: { thresholds: { 'http_req_failed{phase:fault}': ['rate<0.1'], 'http_req_duration{phase:fault}': ['p(95)<2000'] }, profileThresholds: false, recovery: { bound: '1500ms' } },
    },
    join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
  );

// Real k6, Toxiproxy and Redis. The same scenario runs twice: once as one local run, once
// exported and split over two k6 processes by --execution-segment (as k6-operator splits
// it over pods) while the fault timeline plays; analyse must reach the same verdict.
describe('faultline analyse: a run split over k6 processes gets the verdict of the unsplit run', () => {
  const config = testConfig({ services: { redis: true } });
  const work = mkdtempSync(join(tmpdir(), 'faultline-analyse-'));
  const suite = useTinyTarget(config);
  let k6: string;
  beforeAll(async () => {
    k6 = (await new Toolbox().get('k6')).path;
  });

  /** The exported archive run as two segments at once, the timeline playing; `relative`: no origin in the plan, as in a cluster. */
  async function splitRun(s: Scenario, dir: string, relative: boolean): Promise<{ plan: DistributedPlan; parts: string[] }> {
    await exportK8s({ scenario: s, profile: 'smoke', parallelism: 2, out: dir, target: suite.target.url, outputs: [] });
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as DistributedPlan;
    const originMs = Date.now() + 2000;
    const segments = ['0:1/2', '1/2:1'];
    const parts = segments.map((_, i) => join(dir, `part-${i}.json`));
    const env = { ...process.env, K6_NO_USAGE_REPORT: 'true', FAULTLINE_PLAN: JSON.stringify({ ...plan.k6, originMs: relative ? 0 : originMs }) };
    const processes = segments.map(
      (segment, i) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(k6, ['run', '--quiet', '--no-thresholds', '--execution-segment', segment, '--execution-segment-sequence', '0,1/2,1', '--out', `json=${parts[i]}`, '--env', `FAULTLINE_PLAN=${env.FAULTLINE_PLAN}`, join(dir, 'archive.tar')], { env, stdio: 'ignore' });
          child.once('close', resolve);
        }),
    );
    // Relative: the pods' phases start when their scenario does, about when k6 has initialised.
    const timeline = new TimelineExecutor({ ctx: faultContextOf(suite.environment), originMs: relative ? Date.now() + 700 : originMs, log: () => {} });
    timeline.start(s.faults);
    const codes = await Promise.all(processes);
    await timeline.finish();
    expect(codes).toEqual([0, 0]);
    return { plan, parts };
  }

  for (const [name, fault, expected, relative] of [
    ['tiny-slow', { fault: 'latency', params: { latency: 60 } }, 'PASS', true],
    ['tiny-down', { fault: 'down' }, 'FAIL', false],
  ] as const) {
    it(`${name}: ${expected} unsplit, ${expected} from the two halves merged${relative ? ' (phases counted from each process start, as in a cluster)' : ''}`, async () => {
      const s = scenario(name, fault);
      const single = await runScenario({ scenario: s, config, target: suite.target.url, reportsDir: join(work, 'reports'), out: quiet });
      expect(single.result.verdict, single.result.reasons.join('\n')).toBe(expected);

      const { plan, parts } = await splitRun(s, join(work, `${name}-export`), relative);
      const split = await analyseResults({ plan, files: parts, reportsDir: join(work, 'reports') });
      expect(split.result.verdict, split.result.reasons.join('\n')).toBe(single.result.verdict);
      expect(split.exitCode).toBe(single.exitCode);
      expect(split.result.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual(single.result.thresholds.map((t) => [t.metric, t.expression, t.ok]));
      // Both halves made their share of the same load: together about as many requests as the single run
      // (a missing half would be 50 % off; 10 % allows for k6 processes started late on a loaded machine).
      const total = (r: typeof single.result) => r.phases.reduce((n, p) => n + p.requests, 0);
      expect(Math.abs(total(split.result) - total(single.result))).toBeLessThanOrEqual(Math.max(4, total(single.result) * 0.1));
      for (const part of parts) expect(readFileSync(part, 'utf8')).toMatch(/"phase":"fault"/);
      expect(readFileSync(join(split.runDir, 'report.md'), 'utf8')).toMatch(new RegExp(`^# ${expected} — ${name} \\(smoke profile\\)`));
    });
  }

  it('through the CLI: reads gzipped results, writes the reports, exits as a local run would', async () => {
    const s = scenario('tiny-down-cli', { fault: 'down' });
    const dir = join(work, 'cli-export');
    const { parts } = await splitRun(s, dir, false);
    const gz = parts.map((part) => {
      writeFileSync(`${part}.gz`, gzipSync(readFileSync(part)));
      return `${part}.gz`;
    });
    const result = await run('npx', ['tsx', 'scripts/cli.ts', 'analyse', '--plan', join(dir, 'plan.json'), ...gz, '--reports', join(work, 'cli-reports')], { cwd: REPO_ROOT }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/FAIL: tiny-down-cli \(smoke\), \d+ requests from 2 file\(s\)\n {2}- threshold http_req_failed\{phase:fault\} rate<0\.1 failed/);
    const summary = JSON.parse(readFileSync(join(/report: (\S+)/.exec(result.stderr)![1]!, 'summary.json'), 'utf8'));
    expect(summary.context.source).toMatch(/2 result file\(s\) merged/);

    const bad = await run('npx', ['tsx', 'scripts/cli.ts', 'analyse', '--plan', join(dir, 'README.md'), gz[0]!], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/README\.md: not found, or not JSON/);
  });
});
