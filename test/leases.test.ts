import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Environment, startEnvironment, stopEnvironment } from '../env/environment.ts';
import { EnvironmentBusyError, readLeases } from '../env/leases.ts';
import { isAlive } from '../lib/processes.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { startTinyTarget } from './support/tiny-target.ts';

const script = join(REPO_ROOT, 'test/fixtures/tiny-target/load.js');

/** A scenario file: Redis down from 1 s for `downFor`, the whole run `total` long. */
function scenarioFile(dir: string, name: string, phases: Array<[string, string]>, faults: unknown[]): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(
    file,
    `export default ${JSON.stringify({ name, description: 'lease test', services: ['redis'], load: { script, profiles: { smoke: { rps: 5 } } }, phases: phases.map(([n, d]) => ({ name: n, duration: d })), faults, assertions: { profileThresholds: false } })};\n`,
  );
  return file;
}

/** A CLI chaos run as a child process; `output` collects stderr. */
function chaos(configFile: string, scenario: string, target: string): ChildProcess & { output: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', '--config', configFile, 'chaos', scenario, '--target', target], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return Object.assign(child, { output: () => output, done });
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A run holds its environment: killed runs are cleaned up after, concurrent ones refused.
describe('runs and their environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-leases-'));
  const config = testConfig({ services: { redis: true } });
  const configFile = join(dir, 'faultline.config.ts');
  writeFileSync(configFile, `export default ${JSON.stringify(config)};\n`);
  let environment: Environment;
  let target: { url: string; close(): Promise<void> };
  const proxyEnabled = async () => ((await (await fetch(`${environment.toxiproxyUrl}/proxies/redis`)).json()) as { enabled: boolean }).enabled;

  beforeAll(async () => {
    environment = await startEnvironment(config);
    target = await startTinyTarget(environment.services.redis!.url);
  });
  afterAll(async () => {
    await target?.close();
    await stopEnvironment(config, { force: true });
  });

  it('after a run is killed with SIGKILL mid-fault, the next run stops its k6, reverts its fault, says so, and judges its own load normally', async () => {
    const long = scenarioFile(dir, 'long-outage', [['baseline', '1s'], ['fault', '30s']], [{ fault: 'down', target: 'redis', at: 'fault' }]);
    const victim = chaos(configFile, long, target.url);
    await until(() => /applied down@redis/.test(victim.output()), 'the fault to be applied');
    const [lease] = readLeases(config.stateDir!);
    expect(lease?.faults.map((f) => f.name)).toEqual(['down@redis']);
    const k6 = lease!.k6!.pid;
    victim.kill('SIGKILL');
    await victim.done;
    expect(isAlive(k6)).toBe(true); // left running by the dead runner
    expect(await proxyEnabled()).toBe(false); // and its fault still applied

    const next = chaos(configFile, scenarioFile(dir, 'short', [['only', '2s']], []), target.url);
    const code = await next.done;
    expect(next.output()).toMatch(new RegExp(`a run that died \\(pid ${victim.pid}, scenario long-outage \\(smoke\\)\\) left faults applied: down@redis; its k6 was stopped`));
    expect(next.output()).toMatch(/restored before this run \(Toxiproxy reset/);
    expect(code, next.output()).toBe(0);
    expect(isAlive(k6)).toBe(false);
    expect(await proxyEnabled()).toBe(true);
    expect(readLeases(config.stateDir!)).toEqual([]);
    // The dead run's raw k6 log was redacted too (no secret in it here, but it was rewritten through redact()).
    expect(readFileSync(join(lease!.runDir!, 'k6.log'), 'utf8')).not.toContain('eyJ');
  }, 90_000);

  it('refuses a second run on an environment a run holds, and env down while it runs (--force stops the run first)', async () => {
    const long = scenarioFile(dir, 'holder', [['only', '30s']], []);
    const holder = chaos(configFile, long, target.url);
    await until(() => readLeases(config.stateDir!).some((l) => l.pid === holder.pid && l.k6), 'the run to hold the environment');

    const second = chaos(configFile, scenarioFile(dir, 'second', [['only', '1s']], []), target.url);
    expect(await second.done).toBe(2);
    expect(second.output()).toMatch(new RegExp(`is in use by another run \\(pid ${holder.pid}: scenario holder \\(smoke\\)`));

    await expect(stopEnvironment(config)).rejects.toBeInstanceOf(EnvironmentBusyError);
    expect(await stopEnvironment(config, { force: true })).toBe(true);
    expect(await holder.done).toBe(130); // it was interrupted, and said so
    expect(holder.output()).toMatch(/SIGTERM: stopping the load and reverting every fault/);
  }, 90_000);
});
