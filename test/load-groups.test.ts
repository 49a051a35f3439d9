import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from '../runner/errors.ts';
import { runScenario } from '../runner/run.ts';
import { resolveScenario } from '../runner/scenario.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { useTinyTarget } from './support/tiny-target.ts';

const fixtures = join(REPO_ROOT, 'test/fixtures/tiny-target');
const quiet = { write: () => true };

/** Requests per (k6 scenario, phase) in a run's points. */
function countsByGroup(runDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(join(runDir, 'k6-points.json'), 'utf8').split('\n')) {
    if (!line.includes('"metric":"http_reqs"') || !line.includes('"type":"Point"')) continue;
    const tags = JSON.parse(line).data.tags as Record<string, string>;
    const key = `${tags.scenario}/${tags.phase}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

// Real k6: several load groups in one run, each its own k6 scenario, and a phase that sets its own rate.
describe('load groups end to end (tiny target)', () => {
  const config = testConfig({ services: { redis: true } });
  const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-reports-'));
  const suite = useTinyTarget(config);

  const scenario = (load: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    resolveScenario(
      {
        name: 'tiny-groups',
        description: 'readers with a spike, writers steady',
        services: ['redis'],
        load: { script: join(fixtures, 'groups.js'), ...load },
        phases: [
          { name: 'baseline', duration: '2s' },
          { name: 'spike', duration: '2s' },
          { name: 'recovery', duration: '2s' },
        ],
        assertions: { thresholds: { 'http_req_duration{scenario:writers}': ['p(95)<2000'] } },
        ...extra,
      },
      join(fixtures, 'scenario.ts'),
    );

  it('runs every group as its own k6 scenario, a phase stepping its rate up and back on the time origin', async () => {
    const s = scenario({
      groups: {
        readers: { executor: 'constant-arrival-rate', rate: 5, phases: { spike: { rate: 40 }, recovery: { rate: 5 } } },
        writers: { executor: 'constant-arrival-rate', rate: 3, tags: { kind: 'write' } },
      },
      profiles: { smoke: { scale: 1 } },
    });
    const { result, runDir } = await runScenario({ scenario: s, config, target: suite.target.url, reportsDir, out: quiet });
    expect(result.reasons).toEqual([]);
    expect(result.verdict).toBe('PASS');
    const counts = countsByGroup(runDir);
    // 2 s per phase: readers 10 → 80 → 10, writers 6 in each (an arrival may fall on either side of a boundary).
    expect(counts['readers/baseline']).toBeGreaterThanOrEqual(9);
    expect(counts['readers/baseline']).toBeLessThanOrEqual(12);
    expect(counts['readers/spike']).toBeGreaterThanOrEqual(74);
    expect(counts['readers/spike']).toBeLessThanOrEqual(82);
    expect(counts['readers/recovery']).toBeLessThanOrEqual(12);
    for (const phase of ['baseline', 'spike', 'recovery']) expect(counts[`writers/${phase}`], phase).toBeGreaterThanOrEqual(5);
    expect(result.context.load).toBe('readers: ramping arrival rate 5 → 40 → 5/s, up to 80 VUs; writers: constant arrival rate 3.0/s, up to 6 VUs');
    expect(result.thresholds.find((t) => t.metric === 'http_req_duration{scenario:writers}')).toMatchObject({ ok: true });
    expect(readFileSync(join(runDir, 'k6-points.json'), 'utf8')).toMatch(/"kind":"write"/);
  }, 90_000);

  it("shapes an existing script's load with the scenario's groups instead of its own options", async () => {
    const s = scenario({ script: join(fixtures, 'plain.js'), groups: { steady: { executor: 'constant-arrival-rate', rate: 10, exec: 'default' } }, profiles: { smoke: { scale: 1 } } }, { assertions: { profileThresholds: false } });
    const { result, runDir } = await runScenario({ scenario: s, config, target: suite.target.url, reportsDir, out: quiet });
    const counts = countsByGroup(runDir);
    // plain.js asks for 4 VUs looping with 100 ms sleeps (≈ 40/s); the group asks for 10/s.
    expect(counts['steady/baseline']).toBeGreaterThanOrEqual(18);
    expect(counts['steady/baseline']).toBeLessThanOrEqual(22);
    expect(Object.keys(counts).every((k) => k.startsWith('steady/'))).toBe(true);
    expect(result.context.load).toBe('steady: constant arrival rate 10.0/s, up to 20 VUs');
  }, 90_000);

  it('calls a run that would PASS on less load than planned INCONCLUSIVE (exit 4), saying which group fell short where', async () => {
    const slow = (vus: number, maxVUs: number) =>
      scenario(
        { groups: { readers: { executor: 'constant-arrival-rate', rate: 30, vus, maxVUs }, writers: { executor: 'constant-arrival-rate', rate: 2 } }, profiles: { smoke: { scale: 1 } } },
        { faults: [{ fault: 'latency', target: 'redis', at: 'baseline', duration: '6s', params: { latency: 200 } }], assertions: { profileThresholds: false } },
      );
    const short = await runScenario({ scenario: slow(2, 2), config, target: suite.target.url, reportsDir, out: quiet });
    expect(short.exitCode).toBe(4);
    expect(short.result.verdict).toBe('INCONCLUSIVE');
    expect(short.result.inconclusive!.detail).toMatch(/^the load generator fell short of the plan: group readers started \d+ of \d+ planned iterations in phase \w+ \([\d.]+ % short, more than load.maxShortfall 5 %; \d+ dropped, VUs capped at 2\)/);
    const readers = short.result.load!.groups.find((g) => g.group === 'readers')!;
    // Two VUs at ≥ 200 ms an iteration start at most 10 of the 30 planned a second.
    expect(readers.shortfall).toBeGreaterThan(0.5);
    expect(short.result.load!.vusCapped).toEqual({ readers: 2 });
    expect(short.result.load!.groups.find((g) => g.group === 'writers')!.dropped).toBe(0);
    expect(readFileSync(join(short.runDir, 'report.md'), 'utf8').split('## ')[0]).toMatch(/Load: readers: baseline [\d.]+\/30\.0\/s \([\d.]+% short/);
    expect(readFileSync(join(short.runDir, 'junit.xml'), 'utf8')).toMatch(/name="readers delivered its planned load \(max shortfall 5\.00%\)" time="[\d.]+"[^>]*>\s*<failure/);

    const enough = await runScenario({ scenario: slow(8, 20), config, target: suite.target.url, reportsDir, out: quiet });
    expect(enough.result.reasons).toEqual([]);
    expect(enough.exitCode).toBe(0);
    // A busy machine may drop an arrival or two while k6 starts VUs; far within 5 %.
    expect(enough.result.load!.groups.find((g) => g.group === 'readers')!.dropped).toBeLessThanOrEqual(3);
  }, 90_000);

  it('refuses before anything starts a group whose function the script lacks and a threshold on a metric no group emits', async () => {
    const s = scenario(
      { groups: { readers: { executor: 'constant-arrival-rate', rate: 5 }, posters: { executor: 'constant-arrival-rate', rate: 1 } } },
      { assertions: { thresholds: { 'faultline_ws_lagg{phase:spike}': ['p(99)<1000'], 'http_req_failed{scenario:readers}': ['rate<0.1'] } } },
    );
    const error = await runScenario({ scenario: s, config, target: suite.target.url, reportsDir, out: quiet }).then(
      () => undefined,
      (e: unknown) => e as ScenarioInvalidError,
    );
    expect(error).toBeInstanceOf(ScenarioInvalidError);
    expect(error!.message).toContain(join(fixtures, 'scenario.ts'));
    expect(error!.issues).toEqual([
      'load.groups.posters: the script exports neither a function "posters" nor a default function (it exports options, readers, setup, writers)',
      `assertions.thresholds.faultline_ws_lagg{phase:spike}: no load group emits metric "faultline_ws_lagg": it is not one of k6's and ${join(fixtures, 'groups.js')} declares no such metric (it declares faultline_first_token)`,
    ]);
  });
});
