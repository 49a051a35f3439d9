import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../env/environment.ts';
import { startEnvironment } from '../../env/environment.ts';
import type { RunOutcome } from '../../runner/run.ts';
import { runScenario } from '../../runner/run.ts';
import { loadScenario } from '../../runner/scenario.ts';
import { startAppProcess } from './app-process.ts';
import { REPO_ROOT, testConfig } from './environment.ts';

export interface PairOptions {
  /** Services of the test environment (the app runs as its own process, twice). */
  services: Record<string, unknown>;
  /** The mitigation whose absence the scenario must catch, e.g. "rpc-fallback". */
  mitigation: string;
  /** What the FAIL run must say, e.g. /http_req_failed\{phase:fault\}/ or /invariant wallet_claims_gift_once/. */
  failure: RegExp;
  /** Extra checks on the PASS run. */
  onPass?: (outcome: RunOutcome) => void;
  /** Extra environment for the app processes. */
  appEnv?: Record<string, string>;
  /**
   * The apps as services of the environment instead (e.g. two instances, each behind its own
   * proxy, for faults on an app's proxy or process): their entries for the given
   * mitigations. Each run then starts and stops its own environment.
   */
  appsInEnvironment?: (mitigations: string) => Record<string, unknown>;
}

/**
 * A scenario's smoke profile twice on one environment: with every mitigation on (must
 * PASS) and with the relevant one off (must FAIL), so a scenario that cannot catch the
 * missing mitigation is itself caught.
 */
export function describeScenarioPair(name: string, options: PairOptions): void {
  describe(`scenario ${name}`, () => {
    const config = testConfig({ services: options.services as never });
    const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-reports-'));
    let environment: Environment;
    const apps: Array<{ close(): Promise<void> }> = [];

    beforeAll(async () => {
      if (!options.appsInEnvironment) environment = await startEnvironment(config);
    });
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.close()));
      await environment?.stop();
    });

    const runWith = async (mitigations: string) => {
      if (options.appsInEnvironment) {
        const scenario = await loadScenario(name, join(REPO_ROOT, 'scenarios'));
        const own = testConfig({ services: { ...options.services, ...options.appsInEnvironment(mitigations) } as never });
        return runScenario({ scenario, profile: 'smoke', config: own, reportsDir, out: { write: () => true } });
      }
      const app = await startAppProcess(environment, mitigations, options.appEnv);
      apps.push(app);
      const scenario = await loadScenario(name, join(REPO_ROOT, 'scenarios'));
      return runScenario({ scenario, profile: 'smoke', config, target: app.url, reportsDir, out: { write: () => true } });
    };

    it('passes with every mitigation on', async () => {
      const outcome = await runWith('all');
      expect(outcome.result.reasons).toEqual([]);
      expect(outcome.exitCode).toBe(0);
      expect(outcome.result.phases.every((p) => p.requests > 0)).toBe(true);
      options.onPass?.(outcome);
    }, 180_000);

    it(`fails with ${options.mitigation} off`, async () => {
      const { result, exitCode } = await runWith(`-${options.mitigation}`);
      expect(exitCode).toBe(1);
      expect(result.verdict).toBe('FAIL');
      expect(result.reasons.join('\n')).toMatch(options.failure);
    }, 180_000);
  });
}
