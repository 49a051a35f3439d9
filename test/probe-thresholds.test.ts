import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../runner/result.ts';
import { runScenario } from '../runner/run.ts';
import { resolveScenario, type ScenarioDefinition } from '../runner/scenario.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { useTinyTarget } from './support/tiny-target.ts';

const script = join(REPO_ROOT, 'test/fixtures/tiny-target/load.js');

// Real k6, Toxiproxy, Postgres and Redis; the tiny target reads one Redis key per request (a hit each time).
describe('probe thresholds and the steady-state gate (tiny target)', () => {
  const config = testConfig({ services: { postgres: {}, redis: true } });
  const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-probe-reports-'));
  const suite = useTinyTarget(config);

  const scenario = (assertions: ScenarioDefinition['assertions'], extra: Partial<ScenarioDefinition> = {}) =>
    resolveScenario(
      {
        name: 'tiny-probes',
        description: 'the tiny target with probe thresholds',
        services: ['redis', 'postgres'],
        load: { script, profiles: { smoke: { rps: 10 } } },
        phases: [
          { name: 'baseline', duration: '3s' },
          { name: 'fault', duration: '2s' },
        ],
        assertions: { profileThresholds: false, ...assertions },
        ...extra,
      },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );
  const run = (s: ReturnType<typeof scenario>) => runScenario({ scenario: s, config, target: suite.target.url, reportsDir, out: { write: () => true } });

  it('a probe threshold that holds leaves the run PASS, and summary.json carries the probe series under a schema version', async () => {
    const { result, exitCode, runDir } = await run(scenario({ thresholds: { 'probe:redis.hit_ratio{phase:baseline}': ['>0.9'], 'probe:postgres.connections': ['max<150'] } }));
    expect(result.reasons).toEqual([]);
    expect(result.verdict).toBe('PASS');
    expect(exitCode).toBe(0);
    const hit = result.thresholds.find((t) => t.metric === 'probe:redis.hit_ratio{phase:baseline}')!;
    expect(hit).toMatchObject({ ok: true, source: 'probe' });
    expect(hit.observed).toBeGreaterThan(0.9);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunResult;
    expect(summary.diagnostics!.schemaVersion).toBe(1);
    const series = summary.diagnostics!.probes!.series;
    const hits = series.find((s) => s.group === 'redis' && s.metric === 'hit_ratio')!;
    expect(hits.points.length).toBeGreaterThanOrEqual(3);
    expect(new Set(hits.points.map((p) => p.phase))).toEqual(new Set(['baseline', 'fault']));
    // Every service process of the environment is probed: Postgres with its backends, Redis.
    expect(series.some((s) => s.group === 'postgres' && s.metric === 'rss_mb' && s.points[0]!.v > 1)).toBe(true);
    expect(summary.diagnostics!.statusBreakdown.find((p) => p.phase === 'baseline')!.byStatus['2xx']).toBeGreaterThan(10);
  });

  it('a probe threshold that cannot hold makes the run FAIL with that threshold, in readable numbers, as the reason', async () => {
    const { result, exitCode, runDir } = await run(scenario({ thresholds: { 'probe:redis.hit_ratio{phase:fault}': ['<0.5'] } }));
    expect(result.verdict).toBe('FAIL');
    expect(exitCode).toBe(1);
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toMatch(/^threshold probe:redis\.hit_ratio\{phase:fault\} <0\.5 failed \(observed 100\.00%\)$/);
    // k6 never saw it: the runner judged it, k6 only its own metrics.
    expect(result.thresholds.map((t) => t.source)).toEqual(['probe']);
    expect(readFileSync(join(runDir, 'k6-summary.json'), 'utf8')).not.toContain('probe:');
  });

  it('a baseline that already breaks its thresholds stops the run before the first fault: INCONCLUSIVE, exit 3, no fault applied', async () => {
    const s = scenario({ thresholds: { 'http_req_duration{phase:baseline}': ['p(95)<0.001'] } }, { faults: [{ fault: 'down', target: 'redis', at: 'fault' }] });
    const started = Date.now();
    const { result, exitCode } = await run(s);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.inconclusive?.kind).toBe('baseline-broken');
    expect(result.inconclusive?.detail).toContain('http_req_duration{phase:baseline} p(95)<0.001');
    expect(exitCode).toBe(3);
    expect(result.timeline).toEqual([]);
    expect(result.diagnostics!.steadyState).toMatchObject({ phase: 'baseline', ok: false });
    // The load stopped at the gate, not at the end of the fault phase.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('checks probe thresholds against the environment before anything starts, naming the field', async () => {
    const error = await run(scenario({ thresholds: { 'probe:bullmq.waiting{queue=emit}': ['last<10'], 'probe:redis.nope': ['>1'] } })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('assertions.thresholds.probe:bullmq.waiting{queue=emit}: no probe "bullmq"');
    expect((error as Error).message).toContain('assertions.thresholds.probe:redis.nope: probe "redis" has no metric "nope"');
  });
});
