import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopProcessGroup } from '../lib/processes.ts';
import { runScenario } from '../runner/run.ts';
import { resolveScenario } from '../runner/scenario.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { useTinyTarget } from './support/tiny-target.ts';

describe('a dependency that dies during a run', () => {
  const config = testConfig({ services: { redis: true } });
  const suite = useTinyTarget(config);

  it('is named in the reasons, with the last lines of its log', async () => {
    const scenario = resolveScenario(
      { name: 'tiny-crash', description: 'redis is killed from outside mid-run', services: ['redis'], load: { script: join(REPO_ROOT, 'test/fixtures/tiny-target/load.js'), profiles: { smoke: { rps: 5 } } }, phases: [{ name: 'a', duration: '3s' }], assertions: { profileThresholds: false } },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );
    const pid = suite.environment.services.redis!.pid;
    setTimeout(() => void stopProcessGroup(pid, 'SIGKILL', 0), 2500);
    const { result } = await runScenario({ scenario, config, target: suite.target.url, out: { write: () => true }, reportsDir: join(suite.environment.stateDir, 'reports') });
    expect(result.verdict).toBe('FAIL');
    expect(result.reasons.join('\n')).toMatch(/service redis died during the run \(last lines of .*redis\.log: /);
  }, 60_000);
});
