import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createTestClient, http } from 'viem';
import { foundry } from 'viem/chains';
import { describe, expect, it } from 'vitest';
import { LoadGeneratorError } from '../runner/errors.ts';
import { TargetUnreachableError } from '../runner/target.ts';
import { freePort } from '../env/ports.ts';
import type { RunResult } from '../runner/result.ts';
import { runScenario } from '../runner/run.ts';
import { resolveScenario } from '../runner/scenario.ts';
import { fittedLead } from '../runner/k6-lead.ts';
import { RunTimings } from '../runner/timings.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { useTinyTarget } from './support/tiny-target.ts';

const run = promisify(execFile);
const script = join(REPO_ROOT, 'test/fixtures/tiny-target/load.js');

// Real k6, real Toxiproxy, real Redis; the target is a tiny HTTP server that reads Redis through its proxy.
describe('chaos runner end to end (tiny target)', () => {
  const config = testConfig({ services: { postgres: {}, redis: true, anvil: {} } });
  const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-reports-'));
  const suite = useTinyTarget(config);

  it('passes when the fault phase stays within its thresholds, with phases tagged and faults applied on time', async () => {
    const scenario = resolveScenario(
      {
        name: 'tiny-latency',
        description: 'Redis +150 ms for 2 s; the target stays within p95 < 2 s',
        services: ['redis'],
        // Enough VUs for 15/s of requests that take 150 ms and more in the fault phase (else the load falls short: INCONCLUSIVE).
        load: { script, profiles: { smoke: { rps: 15, concurrency: 8 } } },
        phases: [
          { name: 'baseline', duration: '2s' },
          { name: 'fault', duration: '2s' },
          { name: 'recovery', duration: '2s' },
        ],
        faults: [{ fault: 'latency', target: 'redis', at: 'fault', params: { latency: 150 } }],
        assertions: { thresholds: { 'http_req_duration{phase:fault}': ['p(95)<2000'] }, recovery: { bound: '1500ms' } },
      },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );
    const { result, exitCode, runDir } = await runScenario({ scenario, config, target: suite.target.url, reportsDir, out: { write: () => true } });

    expect(result.reasons).toEqual([]);
    expect(result.inconclusive).toBeUndefined();
    expect(result.verdict).toBe('PASS');
    expect(exitCode).toBe(0);
    expect(result.context.environment).toBe('reused');
    const byName = Object.fromEntries(result.phases.map((p) => [p.name, p]));
    for (const phase of ['baseline', 'fault', 'recovery']) expect(byName[phase]!.requests).toBeGreaterThan(15);
    // The latency toxic shows up in exactly the phase it was scheduled for.
    expect(byName.fault!.latency.p50).toBeGreaterThan(byName.baseline!.latency.p50 + 100);
    expect(byName.recovery!.latency.p50).toBeLessThan(byName.fault!.latency.p50 - 100);
    const apply = result.timeline.find((e) => e.action === 'apply')!;
    const revert = result.timeline.find((e) => e.action === 'revert')!;
    expect(apply.ok && revert.ok).toBe(true);
    expect(apply.scheduledMs).toBe(2000);
    expect(revert.scheduledMs).toBe(4000);
    // On time: a timer late by a busy 2-core CI machine (63 ms seen) is not a missed schedule;
    // a fault applied a phase late (≥ 1 s here) would be.
    expect(Math.abs(apply.actualMs - apply.scheduledMs)).toBeLessThanOrEqual(250);
    expect(Math.abs(revert.actualMs - revert.scheduledMs)).toBeLessThanOrEqual(250);
    expect(result.thresholds.find((t) => t.metric === 'http_req_duration{phase:fault}')).toMatchObject({ ok: true });
    expect(result.thresholds.find((t) => t.metric === 'http_req_duration{phase:fault}')!.observed).toBeGreaterThan(150);
    expect(result.recovery).toHaveLength(1);
    expect(result.recovery[0]!.recoveredAfterMs).toBeLessThanOrEqual(1500);
    expect(result.series.length).toBeGreaterThanOrEqual(6);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunResult;
    expect(summary.verdict).toBe('PASS');
    // Nothing stays applied.
    const proxy = (await (await fetch(`${suite.environment.toxiproxyUrl}/proxies/redis`)).json()) as { enabled: boolean; toxics: unknown[] };
    expect(proxy).toMatchObject({ enabled: true, toxics: [] });
  });

  it('fits the k6 lead to what k6 needed the run before, and notes a k6 that reached the origin late', async () => {
    const tiny = (lead?: number) =>
      resolveScenario(
        {
          name: 'tiny-lead',
          description: 'the k6 lead',
          services: ['redis'],
          load: { script, ...(lead !== undefined ? { lead } : {}), profiles: { smoke: { rps: 5, concurrency: 2 } } },
          phases: [{ name: 'only', duration: '1s' }],
          faults: [],
          assertions: {},
        },
        join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
      );
    const runOnce = async (lead?: number) => {
      let text = '';
      const { result } = await runScenario({ scenario: tiny(lead), config, target: suite.target.url, reportsDir, timings: new RunTimings(), out: { write: (chunk: string) => ((text += chunk), true) } });
      return { text, result };
    };
    const first = await runOnce();
    const needed = /k6 start \d+ ms \(k6 ready after (\d+) ms of 1500 ms \(default\)\)/.exec(first.text);
    expect(needed, first.text).not.toBeNull();
    const second = await runOnce();
    const fitted = /k6 start \d+ ms \(k6 ready after (\d+) ms of (\d+) ms \(fitted to the last run\)\)/.exec(second.text);
    expect(fitted, second.text).not.toBeNull();
    // The second lead is the one fitted to what the first run's k6 needed (a rounding apart).
    expect(Math.abs(Number(fitted![2]) - fittedLead(Number(needed![1])))).toBeLessThanOrEqual(1);
    expect(Number(fitted![1])).toBeLessThan(Number(fitted![2]));
    expect(second.text).not.toMatch(/late/);
    expect(second.result.verdict).toBe('PASS');
    // No lead at all: k6 cannot be ready at its own spawn, and a declared lead is the scenario's to raise.
    const late = await runOnce(0);
    expect(late.text).toMatch(/k6 ready \d+ ms after the origin \(lead 0 ms, load\.lead\): raise load\.lead/);
  });

  it('plays faults of the chain and process layers on schedule and leaves neither applied', async () => {
    const scenario = resolveScenario(
      {
        name: 'tiny-layers',
        description: 'no blocks for 3 s; Redis frozen for 1.5 s inside that window',
        services: ['redis', 'anvil'],
        load: { script, profiles: { smoke: { rps: 10 } } },
        phases: [
          { name: 'baseline', duration: '1500ms' },
          { name: 'fault', duration: '3s' },
          { name: 'recovery', duration: '1500ms' },
        ],
        faults: [
          { name: 'no-blocks', fault: 'mining-stopped', target: 'anvil', at: 'fault' },
          { name: 'frozen', fault: 'pause', target: 'redis', at: '2s', duration: '1500ms' },
        ],
      },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );
    const chain = createTestClient({ mode: 'anvil', chain: foundry, transport: http(suite.environment.services.anvil!.directUrl) });
    const automine: boolean[] = [];
    const sampler = setInterval(() => void chain.getAutomine().then((on) => automine.push(on)), 250);
    const { result } = await runScenario({ scenario, config, target: suite.target.url, reportsDir, out: { write: () => true } }).finally(() => clearInterval(sampler));

    const events = result.timeline.map((e) => [e.fault, e.action, e.ok, e.scheduledMs]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['no-blocks', 'apply', true, 1500],
        ['no-blocks', 'revert', true, 4500],
        ['frozen', 'apply', true, 2000],
        ['frozen', 'revert', true, 3500],
      ]),
    );
    // Anvil really stopped mining during the window, and mines again after it.
    expect(automine).toContain(false);
    expect(await chain.getAutomine()).toBe(true);
    // The frozen Redis made the target's requests wait out its 500 ms command timeout, and it answers again.
    const byName = Object.fromEntries(result.phases.map((p) => [p.name, p]));
    expect(byName.fault!.latency.max).toBeGreaterThanOrEqual(450);
    expect(byName.fault!.errorRate).toBeGreaterThan(0);
    expect(byName.recovery!.errorRate).toBe(0);
    expect(await new Redis(suite.environment.services.redis!.directUrl).ping()).toBe('PONG');
  });

  it('when k6 cannot run the script, neither the error it throws nor the k6.log left behind carries a provider key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-k6-broken-'));
    const brokenScript = join(dir, 'load.js');
    writeFileSync(brokenScript, `throw new Error('cannot reach http://127.0.0.1:1/infura/key0123456789abcdef');\n`);
    const scenario = resolveScenario(
      { name: 'tiny-broken', description: 'a script that dies at init', services: ['redis'], load: { script: brokenScript }, phases: [{ name: 'a', duration: '1s' }] },
      join(dir, 'scenario.ts'),
    );
    const brokenReports = join(dir, 'reports');
    const error = await runScenario({ scenario, config, target: suite.target.url, reportsDir: brokenReports, out: { write: () => true } }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(LoadGeneratorError);
    expect((error as Error).message).toContain('/infura/[REDACTED]');
    expect((error as Error).message).not.toContain('key0123456789abcdef');
    const [runId] = readdirSync(brokenReports);
    const log = readFileSync(join(brokenReports, runId!, 'k6.log'), 'utf8');
    expect(log).toContain('/infura/[REDACTED]');
    expect(log).not.toContain('key0123456789abcdef');
  });

  const plainScenario = (ownP99Ms: string) =>
    resolveScenario(
      {
        name: 'tiny-plain',
        description: 'an existing k6 script as the load, Redis +100 ms in the middle',
        services: ['redis'],
        load: { script: join(REPO_ROOT, 'test/fixtures/tiny-target/plain.js'), env: { OWN_P99_MS: ownP99Ms } },
        phases: [
          { name: 'baseline', duration: '2s' },
          { name: 'fault', duration: '2s' },
          { name: 'recovery', duration: '2s' },
        ],
        faults: [{ fault: 'latency', target: 'redis', at: 'fault', params: { latency: 100 } }],
        assertions: { thresholds: { 'http_req_failed{phase:fault}': ['rate<0.1'] }, profileThresholds: false },
      },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );

  it('runs an existing k6 script unchanged: its stages and thresholds are kept and judged, its requests are tagged by phase', async () => {
    const { result } = await runScenario({ scenario: plainScenario('5000'), config, target: suite.target.url, reportsDir, out: { write: () => true } });
    expect(result.reasons).toEqual([]);
    expect(result.context.load).toMatch(/the script's own options/);
    for (const phase of result.phases) expect(phase.requests, phase.name).toBeGreaterThan(5);
    expect(result.phases.find((p) => p.name === 'fault')!.latency.p50).toBeGreaterThan(result.phases.find((p) => p.name === 'baseline')!.latency.p50 + 60);
    expect(result.thresholds.map((t) => [t.metric, t.expression, t.ok, t.source])).toEqual(
      expect.arrayContaining([
        ['http_req_failed{phase:fault}', 'rate<0.1', true, undefined],
        ['http_req_duration', 'p(99)<5000', true, 'script'],
        ['checks', 'rate>0.9', true, 'script'],
      ]),
    );
    // The bundle k6 ran beside the script is gone again.
    expect(readdirSync(join(REPO_ROOT, 'test/fixtures/tiny-target')).filter((f) => f.includes('faultline-'))).toEqual([]);
  });

  it("fails on an existing script's own threshold, naming it", async () => {
    const { result, exitCode } = await runScenario({ scenario: plainScenario('1'), config, target: suite.target.url, reportsDir, out: { write: () => true } });
    expect(exitCode).toBe(1);
    expect(result.reasons.join('\n')).toMatch(/threshold http_req_duration p\(99\)<1 failed/);
  });

  const tiny = (extra: Record<string, unknown>) =>
    resolveScenario(
      { name: 'tiny-checks', description: 'a short steady load', services: ['redis'], load: { script, profiles: { smoke: { rps: 10 } } }, phases: [{ name: 'baseline', duration: '1s' }, { name: 'fault', duration: '1s' }], ...extra },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );

  it('stops before any load or fault when nothing answers at the target: exit 2, never a FAIL', async () => {
    const refused = `http://127.0.0.1:${await freePort()}`;
    const scenario = tiny({ faults: [{ fault: 'down', target: 'redis', at: 'fault' }] });
    const error = await runScenario({ scenario, config, target: refused, reportsDir, out: { write: () => true } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as Error).message).toMatch(/target http:\/\/127\.0\.0\.1:\d+ is not reachable \(.*ECONNREFUSED.*\)\. Nothing was loaded and no fault was applied/);
    expect(((await (await fetch(`${suite.environment.toxiproxyUrl}/proxies/redis`)).json()) as { enabled: boolean }).enabled).toBe(true);
  });

  it('judges invariants written as data: SQL, Redis and HTTP, each with what it saw', async () => {
    const scenario = tiny({
      invariants: [
        { name: 'no rows', sql: "select 1 where false", expect: 'no rows' },
        { name: 'counts', sql: 'select count(*) from pg_database', expect: { equals: 99 } },
        { name: 'item stored', redis: ['GET', 'item'], expect: { equals: 'hello' } },
        { name: 'item served', http: 'GET /item', expect: 200 },
        { name: 'item gone', http: 'GET /item', expect: 404 },
      ],
    });
    const { result } = await runScenario({ scenario, config, target: suite.target.url, reportsDir, out: { write: () => true } });
    expect(result.invariants.map((i) => [i.name, i.ok])).toEqual([['no rows', true], ['counts', false], ['item stored', true], ['item served', true], ['item gone', false]]);
    expect(result.invariants[1]!.detail).toMatch(/first value "\d+", expected 99/);
    // A broken HTTP invariant says what the endpoint answered, not only its status.
    expect(result.invariants[4]!.detail).toBe('GET /item → HTTP 200, expected 404: hello');
    expect(result.reasons.join('\n')).toMatch(/invariant counts: first value/);
  });

  it('refuses an SQL invariant that does not compile before any load is sent', async () => {
    const scenario = tiny({ invariants: [{ name: 'typo', sql: 'selec * from nowhere' }] });
    const error = await runScenario({ scenario, config, target: suite.target.url, reportsDir, out: { write: () => true } }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('InvariantInvalidError');
    expect((error as Error).message).toMatch(/invariant "typo": its SQL does not run: syntax error at or near "selec"/);
  });

  it('calls a run whose baseline already breaks its thresholds inconclusive (exit 3), not a FAIL of the fault', async () => {
    const scenario = tiny({
      faults: [{ fault: 'latency', target: 'redis', at: 'fault', params: { latency: 10 } }],
      assertions: { thresholds: { 'http_req_duration{phase:baseline}': ['p(95)<1'] }, profileThresholds: false },
    });
    const { result, exitCode } = await runScenario({ scenario, config, target: suite.target.url, reportsDir, out: { write: () => true } });
    expect(exitCode).toBe(3);
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.inconclusive).toMatchObject({ kind: 'baseline-broken' });
    // The steady-state gate judged it live, before the fault: the fault never ran.
    expect(result.inconclusive!.detail).toMatch(/http_req_duration\{phase:baseline\} p\(95\)<1 \(observed [\d.]+ ms\) in phase baseline/);
    expect(result.timeline.filter((e) => e.action === 'apply')).toEqual([]);
  });

  it('passes --env values to the script and redacts the ones whose names look secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-env-'));
    const echo = join(dir, 'load.js');
    writeFileSync(echo, `import http from 'k6/http';\nexport const options = { vus: 1, iterations: 2 };\nexport default function () { console.log('tenant=' + __ENV.TENANT_ID + ' token=' + __ENV.SIGNING_TOKEN); http.get(__ENV.FAULTLINE_TARGET + '/item'); }\n`);
    const scenario = resolveScenario({ name: 'tiny-env', description: 'echoes its env', services: ['redis'], load: { script: echo }, phases: [{ name: 'a', duration: '1s' }] }, join(dir, 'scenario.ts'));
    const { runDir } = await runScenario({ scenario, config, target: suite.target.url, reportsDir, env: { TENANT_ID: 'demo-tenant', SIGNING_TOKEN: 'tok-1234567890' }, out: { write: () => true } });
    const log = readFileSync(join(runDir, 'k6.log'), 'utf8');
    expect(log).toContain('tenant=demo-tenant');
    expect(log).not.toContain('tok-1234567890');
    expect(log).toContain('token=[REDACTED]');
  });

  it('fails with exit code 1 through the CLI when an outage breaks a threshold, and re-enables the proxy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-chaos-cli-'));
    const configFile = join(dir, 'faultline.config.ts');
    writeFileSync(configFile, `export default ${JSON.stringify(config)};\n`);
    const scenarioFile = join(dir, 'scenario.ts');
    writeFileSync(
      scenarioFile,
      `import { defineScenario } from ${JSON.stringify(join(REPO_ROOT, 'runner/scenario.ts'))};
export default defineScenario({
  name: 'tiny-outage',
  description: 'Redis unreachable for 2 s; the target has no fallback',
  services: ['redis'],
  load: { script: ${JSON.stringify(script)}, profiles: { smoke: { rps: 15 } } },
  phases: [{ name: 'baseline', duration: '2s' }, { name: 'fault', duration: '2s' }, { name: 'recovery', duration: '2s' }],
  faults: [{ fault: 'down', target: 'redis', at: 'fault' }],
  assertions: { thresholds: { 'http_req_failed{phase:fault}': ['rate<0.1'] }, profileThresholds: false },
});
`,
    );
    const result = await run('npx', ['tsx', 'scripts/cli.ts', '-c', configFile, 'chaos', scenarioFile, '--target', suite.target.url, '--reports', reportsDir], { cwd: REPO_ROOT }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/FAIL: tiny-outage/);
    expect(result.stderr).toMatch(/threshold http_req_failed\{phase:fault\} rate<0.1 failed \(observed ([1-9]\d|100)(\.\d+)?%\)/);
    const reportDir = /report: (\S+)/.exec(result.stderr)![1]!;
    const summary = JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as RunResult;
    expect(summary.verdict).toBe('FAIL');
    // The replay line runs the same thing again from here: config, scenario file, target, profile and seed.
    // (Here the project's own `npm run chaos` script runs it.)
    expect(summary.replay).toBe(`npm run chaos -- --config ${relative(REPO_ROOT, configFile)} ${relative(REPO_ROOT, scenarioFile)} --profile smoke --seed ${summary.seed} --target ${suite.target.url}`);
    expect(summary.phases.find((p) => p.name === 'baseline')!.errorRate).toBe(0);
    expect(summary.phases.find((p) => p.name === 'fault')!.errorRate).toBeGreaterThan(0.5);
    const proxy = (await (await fetch(`${suite.environment.toxiproxyUrl}/proxies/redis`)).json()) as { enabled: boolean };
    expect(proxy.enabled).toBe(true);
    expect(existsSync(join(reportDir, 'k6-points.json'))).toBe(true);
  });

  it('on SIGINT mid-fault stops the load, reverts every fault, writes the summary and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-chaos-sigint-'));
    const configFile = join(dir, 'faultline.config.ts');
    writeFileSync(configFile, `export default ${JSON.stringify(config)};\n`);
    const scenarioFile = join(dir, 'scenario.ts');
    writeFileSync(
      scenarioFile,
      `export default {
  name: 'tiny-long-outage', description: 'Redis down for a long time', services: ['redis'],
  load: { script: ${JSON.stringify(script)}, profiles: { smoke: { rps: 5 } } },
  phases: [{ name: 'baseline', duration: '1s' }, { name: 'fault', duration: '60s' }],
  faults: [{ fault: 'down', target: 'redis', at: 'fault' }, { fault: 'latency', target: 'redis', at: '1s', params: { latency: 10 } }],
};
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', '-c', configFile, 'chaos', scenarioFile, '--target', suite.target.url, '--reports', reportsDir], { cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const proxy = async () => (await (await fetch(`${suite.environment.toxiproxyUrl}/proxies/redis`)).json()) as { enabled: boolean; toxics: unknown[] };
    await expect.poll(() => stderr, { timeout: 30_000, interval: 100 }).toMatch(/applied latency@redis/);
    await expect.poll(proxy, { timeout: 5000 }).toMatchObject({ enabled: false });
    const interruptedAt = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(Date.now() - interruptedAt).toBeLessThan(15_000);
    expect(await proxy()).toMatchObject({ enabled: true, toxics: [] });
    expect(stderr).toMatch(/reverted down@redis/);
    const summary = JSON.parse(readFileSync(join(/report: (\S+)/.exec(stderr)![1]!, 'summary.json'), 'utf8')) as RunResult;
    expect(summary.context.interrupted).toBe('SIGINT');
    expect(summary.verdict).toBe('FAIL');
    expect(summary.reasons[0]).toMatch(/interrupted \(SIGINT\)/);
  });

  it('from code, an aborted signal mid-fault stops the load and reverts every fault like SIGINT', async () => {
    const scenario = resolveScenario(
      {
        name: 'tiny-long-outage',
        description: 'Redis down for a long time',
        services: ['redis'],
        load: { script, profiles: { smoke: { rps: 5 } } },
        phases: [{ name: 'baseline', duration: '1s' }, { name: 'fault', duration: '60s' }],
        faults: [{ fault: 'down', target: 'redis', at: 'fault' }],
      },
      join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
    );
    const abort = new AbortController();
    let log = '';
    const out = {
      write: (line: string) => {
        log += line;
        if (/applied down@redis/.test(line)) setTimeout(() => abort.abort(), 500);
        return true;
      },
    };
    const started = Date.now();
    const { result, exitCode } = await runScenario({ scenario, config, target: suite.target.url, reportsDir, out, signal: abort.signal });
    expect(exitCode, log).toBe(130);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.context.interrupted).toBe('abort');
    expect(result.reasons[0]).toMatch(/interrupted \(abort\)/);
    expect(log).toMatch(/reverted down@redis/);
    const proxy = (await (await fetch(`${suite.environment.toxiproxyUrl}/proxies/redis`)).json()) as { enabled: boolean; toxics: unknown[] };
    expect(proxy).toMatchObject({ enabled: true, toxics: [] });
  });

  it('on SIGINT while it starts its own environment, stops what had started and exits 130', async () => {
    const own = testConfig({ services: { postgres: true, redis: true } });
    const dir = mkdtempSync(join(tmpdir(), 'faultline-chaos-sigint-env-'));
    const configFile = join(dir, 'faultline.config.ts');
    writeFileSync(configFile, `export default ${JSON.stringify(own)};\n`);
    const scenarioFile = join(dir, 'scenario.ts');
    writeFileSync(
      scenarioFile,
      `export default { name: 'tiny', description: 'x', services: ['redis', 'postgres'], load: { script: ${JSON.stringify(script)} }, phases: [{ name: 'a', duration: '1s' }] };\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', '-c', configFile, 'chaos', scenarioFile, '--target', suite.target.url, '--reports', reportsDir], { cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    await expect.poll(() => stderr, { timeout: 30_000, interval: 20 }).toMatch(/redis ready/);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted \(SIGINT\)/);
    expect(existsSync(join(own.stateDir!, 'env.json'))).toBe(false);
  });

  it('refuses an invalid scenario with exit code 2, naming the file and the field path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-chaos-invalid-'));
    const scenarioFile = join(dir, 'scenario.ts');
    writeFileSync(scenarioFile, `export default { name: 'bad', description: 'x', services: [], load: { script: 'load.js' }, phases: [{ name: 'a', duration: '1s' }], faults: [{ fault: 'latency', target: 'redis', at: 'a', params: { latency: 'high' } }] };\n`);
    const result = await run('npx', ['tsx', 'scripts/cli.ts', 'chaos', scenarioFile], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(scenarioFile);
    expect(result.stderr).toMatch(/faults\.0\.params\.latency: /);
  });

  it('refuses a non-loopback target with exit code 2 before starting anything', async () => {
    const result = await run('npx', ['tsx', 'scripts/cli.ts', 'chaos', 'rpc-throttle', '--target', 'https://api.example.com'], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Refusing to send load to https:\/\/api\.example\.com/);
    expect(result.stderr).not.toMatch(/ready in/);
  });
});
