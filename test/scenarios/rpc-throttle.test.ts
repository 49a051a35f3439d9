import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../env/environment.ts';
import { startEnvironment } from '../../env/environment.ts';
import { runScenario } from '../../runner/run.ts';
import { loadScenario } from '../../runner/scenario.ts';
import { startAppProcess } from '../support/app-process.ts';
import { REPO_ROOT, testConfig } from '../support/environment.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The scenario's smoke profile twice on one environment: with every mitigation (must PASS),
// and with rpc-fallback off (must FAIL) — a scenario that cannot catch the missing mitigation is itself caught.
describe('scenario rpc-throttle', () => {
  const config = testConfig({ services: { postgres: true, redis: true, anvil: true, rpc: true } });
  const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-reports-'));
  let environment: Environment;
  const apps: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    environment = await startEnvironment(config);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await environment?.stop();
  });

  const runWith = async (mitigations: string) => {
    const app = await startAppProcess(environment, mitigations);
    apps.push(app);
    const scenario = await loadScenario('rpc-throttle', REPO_ROOT);
    return runScenario({ scenario, profile: 'smoke', config, target: app.url, reportsDir, out: { write: () => true } });
  };

  it('passes with every mitigation on: claims fail over to the second provider and are paid exactly once', async () => {
    const { result, exitCode } = await runWith('all');
    expect(result.reasons).toEqual([]);
    expect(exitCode).toBe(0);
    expect(result.invariants.map((i) => i.ok)).toEqual([true, true, true, true]);
    expect(result.phases.find((p) => p.name === 'fault')!.requests).toBeGreaterThan(10);
  }, 120_000);

  it('fails with rpc-fallback off: claims in the throttled window fail', async () => {
    const { result, exitCode } = await runWith('-rpc-fallback');
    expect(exitCode).toBe(1);
    expect(result.verdict).toBe('FAIL');
    expect(result.reasons.join('\n')).toMatch(/http_req_failed\{phase:fault\}/);
    expect(result.phases.find((p) => p.name === 'baseline')!.errorRate).toBe(0);
  }, 120_000);
});
