import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveScenario } from '../runner/scenario.ts';
import { runSignOff } from '../runner/sign-off.ts';
import type { SignOffPack } from '../runner/sign-off/types.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { useTinyTarget } from './support/tiny-target.ts';

const run = promisify(execFile);
const script = join(REPO_ROOT, 'test/fixtures/tiny-target/load.js');
const quiet = { write: () => true };

/** A scenario definition for the tiny target: 1 s baseline, 1 s fault. `outage`: Redis is down in the fault phase and the target has no fallback. */
const definition = (name: string, outage: boolean) => ({
  name,
  description: outage ? 'Redis down for 1 s; the tiny target has no fallback' : 'a short steady load',
  services: ['redis'],
  load: { script, profiles: { smoke: { rps: 10 }, baseline: { rps: 15 } } },
  phases: [
    { name: 'baseline', duration: '1s' },
    { name: 'fault', duration: '1s' },
  ],
  faults: outage ? [{ fault: 'down', target: 'redis', at: 'fault' }] : [],
  assertions: { thresholds: { 'http_req_failed{phase:fault}': ['rate<0.1'] }, profileThresholds: false },
});
const scenario = (name: string, outage: boolean) => resolveScenario(definition(name, outage), join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'));

const rowsOf = (markdown: string) => markdown.split('\n').filter((l) => /^\| tiny-/.test(l));
const hashTree = (dir: string): string => {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(`${path}\n`).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
};

// Real k6, real Toxiproxy and Redis; the target reads Redis through its proxy and answers 500 when it cannot.
describe('sign-off: several profiles and scenarios in one command, one folder, one verdict', () => {
  const config = testConfig({ services: { redis: true } });
  const reports = mkdtempSync(join(tmpdir(), 'faultline-sign-off-'));
  const suite = useTinyTarget(config);

  it('runs smoke then baseline and writes every file of the pack, with a row per profile and the close commands', async () => {
    const dir = join(reports, 'tiny-ok-sign-off');
    const { exitCode, pack } = await runSignOff({ scenarios: [scenario('tiny-ok', false)], profiles: ['smoke', 'baseline'], config, target: suite.target.url, reportDir: dir, issue: '14', out: quiet });

    expect(pack.rows.map((r) => [r.profile, r.verdict])).toEqual([['smoke', 'PASS'], ['baseline', 'PASS']]);
    expect(exitCode).toBe(0);
    for (const profile of ['smoke', 'baseline']) {
      for (const file of ['summary.json', 'report.md', 'report.html', 'junit.xml']) expect(existsSync(join(dir, `${profile}-${file}`)), `${profile}-${file}`).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, `${profile}-summary.json`), 'utf8'))).toMatchObject({ scenario: 'tiny-ok', profile, verdict: 'PASS' });
    }
    const rows = rowsOf(readFileSync(join(dir, 'OVERVIEW.md'), 'utf8'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| tiny-ok \| smoke \| ✅ PASS \| \d+ \| 100\.00% \| \d+ ms \| \[smoke-report\.md\]\(smoke-report\.md\) \|$/);
    expect(rows[1]).toMatch(/^\| tiny-ok \| baseline \| ✅ PASS \| \d+ \| 100\.00% \| \d+ ms \| \[baseline-report\.md\]/);
    // The baseline profile's higher rate shows in its request count.
    expect(pack.rows[1]!.numbers!.requests).toBeGreaterThan(pack.rows[0]!.numbers!.requests);
    expect(readFileSync(join(dir, 'CLOSURE.md'), 'utf8')).toMatch(/^# Sign-off: tiny-ok — ✅ PASS\n\n## What ran\n\n- tiny-ok × smoke, baseline against http:\/\/127\.0\.0\.1:\d+/);
    expect(readFileSync(join(dir, 'COMMENT.md'), 'utf8')).toMatch(/^\*\*Faultline sign-off: ✅ PASS\*\*/);
    expect(readFileSync(join(dir, 'FINAL-STEPS.md'), 'utf8')).toContain('sh CLOSE-COMMANDS.sh');
    const close = readFileSync(join(dir, 'CLOSE-COMMANDS.sh'), 'utf8');
    expect(close).toContain("issue='14'");
    expect(close).toContain('gh issue comment "$issue" --body-file COMMENT.md');
    expect(close).toContain('gh issue close "$issue" --reason completed');
    expect(statSync(join(dir, 'CLOSE-COMMANDS.sh')).mode & 0o111).not.toBe(0);
    // The script is valid shell.
    await run('sh', ['-n', join(dir, 'CLOSE-COMMANDS.sh')]);
  });

  it('keeps a folder with a FAIL as it is: CLOSE-COMMANDS.sh absent, and a rerun goes to a new folder whose overview links the first', async () => {
    const dir = join(reports, 'mixed');
    const scenarios = [scenario('tiny-ok', false), scenario('tiny-outage', true)];
    const first = await runSignOff({ scenarios, profiles: ['smoke'], config, target: suite.target.url, reportDir: dir, out: quiet });

    expect(first.exitCode).toBe(1);
    expect(first.pack.rows.map((r) => [r.scenario, r.verdict])).toEqual([['tiny-ok', 'PASS'], ['tiny-outage', 'FAIL']]);
    expect(existsSync(join(dir, 'CLOSE-COMMANDS.sh'))).toBe(false);
    // Several scenarios: each its own folder of per-profile files.
    expect(existsSync(join(dir, 'tiny-outage', 'smoke-report.md'))).toBe(true);
    const overview = readFileSync(join(dir, 'OVERVIEW.md'), 'utf8');
    expect(overview).toMatch(/^# Faultline sign-off: ❌ \*\*FAIL\*\*/);
    expect(rowsOf(overview)[1]).toMatch(/^\| tiny-outage \| smoke \| ❌ \*\*FAIL\*\* \| \d+ \| \d+\.\d\d% \|/);
    expect(overview).toMatch(/tiny-outage \(smoke\)\*\*: threshold http_req_failed\{phase:fault\} rate<0\.1 failed/);
    const closure = readFileSync(join(dir, 'CLOSURE.md'), 'utf8');
    // The failed requests with their answer, phase and who they are attributed to (the target's own 500s).
    expect(closure).toMatch(/\| GET http:\/\/127\.0\.0\.1:\d+\/item \| HTTP 500 \| \d+ \| fault \| .* \| app \| – \|/);
    expect(closure).toContain('None of the');
    expect(readFileSync(join(dir, 'FINAL-STEPS.md'), 'utf8')).toMatch(/Decide on tiny-outage \(smoke\), FAIL/);
    const before = hashTree(dir);

    const again = await runSignOff({ scenarios, profiles: ['smoke'], config, target: suite.target.url, reportDir: dir, out: quiet });
    expect(again.dir).not.toBe(dir);
    expect(basename(again.dir)).toMatch(/^mixed-\d{8}T\d{6}Z$/);
    expect(hashTree(dir)).toBe(before);
    expect(again.pack.attempts).toEqual([{ dir: '../mixed', verdict: 'FAIL', startedAt: first.pack.startedAt }]);
    expect(readFileSync(join(again.dir, 'OVERVIEW.md'), 'utf8')).toContain('[../mixed](../mixed/OVERVIEW.md)');
  });

  it('stops at the first row that does not pass with --fail-fast, listing the rest as not run', async () => {
    const { pack, exitCode, dir } = await runSignOff({ scenarios: [scenario('tiny-outage', true)], profiles: ['smoke', 'baseline'], config, target: suite.target.url, failFast: true, reportDir: join(reports, 'fail-fast'), out: quiet });
    expect(exitCode).toBe(1);
    expect(pack.rows.map((r) => [r.profile, r.verdict])).toEqual([['smoke', 'FAIL'], ['baseline', 'NOT RUN']]);
    expect(pack.rows[1]!.reasons).toEqual(['--fail-fast: stopped after a row that did not pass']);
    expect(existsSync(join(dir, 'baseline-summary.json'))).toBe(false);
    expect(rowsOf(readFileSync(join(dir, 'OVERVIEW.md'), 'utf8'))[1]).toMatch(/^\| tiny-outage \| baseline \| — not run \| – \|/);
  });

  it('starts one environment for every run when none is up, and stops it after', async () => {
    const own = testConfig({ services: { redis: true } });
    const server = createServer((_, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let log = '';
    try {
      const { pack, dir } = await runSignOff({ scenarios: [scenario('tiny-ok', false)], profiles: ['smoke', 'baseline'], config: own, target: url, reportDir: join(reports, 'own-env'), out: { write: (s: string) => (log += s) } });
      expect(pack.rows.map((r) => r.verdict)).toEqual(['PASS', 'PASS']);
      expect(log.match(/environment: up in \d+ ms for every run/g)).toHaveLength(1);
      for (const profile of ['smoke', 'baseline']) expect(JSON.parse(readFileSync(join(dir, `${profile}-summary.json`), 'utf8')).context.environment).toBe('reused');
      expect(existsSync(join(own.stateDir!, 'env.json'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('records why nothing ran when the shared environment would not start, and throws as a single run would (exit 2)', async () => {
    const broken = testConfig({ services: { broken: { command: [process.execPath, '-e', 'process.exit(3)'] } } });
    const dir = join(reports, 'broken-env');
    const error = await runSignOff({ scenarios: [resolveScenario({ ...definition('tiny-ok', false), services: [] }, join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'))], profiles: ['smoke', 'baseline'], config: broken, target: suite.target.url, reportDir: dir, out: quiet }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('ServiceCrashedError');
    const pack = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as SignOffPack;
    expect(pack).toMatchObject({ verdict: 'ERROR', exitCode: 2 });
    expect(pack.rows.map((r) => [r.profile, r.verdict])).toEqual([['smoke', 'ERROR'], ['baseline', 'ERROR']]);
    expect(pack.rows[0]!.reasons[0]).toMatch(/^the environment would not start: broken exited during start-up/);
  });

  describe('through the CLI', () => {
    const project = mkdtempSync(join(tmpdir(), 'faultline-ci-project-'));
    const configFile = join(project, 'faultline.config.ts');
    const writeScenario = (name: string, outage: boolean) => {
      mkdirSync(join(project, 'scenarios', name), { recursive: true });
      writeFileSync(join(project, 'scenarios', name, 'scenario.ts'), `export default ${JSON.stringify(definition(name, outage))};\n`);
    };
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      run('npx', ['tsx', 'scripts/cli.ts', '-c', configFile, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    beforeAll(() => {
      writeFileSync(configFile, `export default ${JSON.stringify({ ...config, scenariosDir: join(project, 'scenarios') })};\n`);
      writeScenario('tiny-ok', false);
    });

    it('faultline ci: exit 0 when every row passed, 1 on any FAIL, 2 on bad input before anything runs', async () => {
      const ok = await cli(['ci', '--target', suite.target.url, '--report-dir', join(project, 'ci-ok')]);
      expect(ok.code, ok.stderr).toBe(0);
      expect((JSON.parse(readFileSync(join(project, 'ci-ok', 'pack.json'), 'utf8')) as SignOffPack).rows.map((r) => [r.scenario, r.profile, r.verdict])).toEqual([['tiny-ok', 'smoke', 'PASS']]);

      writeScenario('tiny-outage', true);
      const failed = await cli(['ci', '--target', suite.target.url, '--report-dir', join(project, 'ci-fail')]);
      expect(failed.code, failed.stderr).toBe(1);
      expect(failed.stderr).toMatch(/sign-off ❌ FAIL: tiny-ok\/smoke PASS, tiny-outage\/smoke FAIL/);

      const bad = await cli(['ci', '--profile', 'smoke,soak', '--target', suite.target.url, '--report-dir', join(project, 'ci-bad')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/tiny-ok has no profile "soak" \(known: smoke, baseline, stress\)/);
      expect(existsSync(join(project, 'ci-bad'))).toBe(false);
      // Three CLI processes, two of them whole runs: more than the default minute on a busy 2-core machine.
    }, 180_000);

    it('refuses a target whose health check does not answer as told, before any load (exit 2)', async () => {
      const result = await cli(['chaos', 'tiny-ok', '--profile', 'smoke,baseline', '--target', suite.target.url, '--health', '/item', '--health-status', '204', '--report-dir', join(project, 'unhealthy')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/target http:\/\/127\.0\.0\.1:\d+ is not reachable \(GET \/item answered 200, expected 204\)/);
      expect(existsSync(join(project, 'unhealthy'))).toBe(false);
    });

    it('on SIGINT mid-run stops the load, reverts the faults, runs nothing more and exits 130, the pack saying so', async () => {
      const dir = join(project, 'long-scenario');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'scenario.ts'), `export default ${JSON.stringify({ ...definition('tiny-long', true), phases: [{ name: 'baseline', duration: '1s' }, { name: 'fault', duration: '60s' }] })};\n`);
      const pack = join(project, 'interrupted');
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', '-c', configFile, 'chaos', join(dir, 'scenario.ts'), '--profile', 'smoke,baseline', '--target', suite.target.url, '--report-dir', pack], { cwd: REPO_ROOT });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      await expect.poll(() => stderr, { timeout: 30_000, interval: 100 }).toMatch(/applied down@redis/);
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, stderr).toBe(130);
      const written = JSON.parse(readFileSync(join(pack, 'pack.json'), 'utf8')) as SignOffPack;
      expect(written.verdict).toBe('INTERRUPTED');
      expect(written.rows.map((r) => [r.profile, r.verdict, r.reasons[0]])).toEqual([
        ['smoke', 'FAIL', expect.stringMatching(/interrupted \(SIGINT\)/)],
        ['baseline', 'NOT RUN', 'interrupted before it ran'],
      ]);
      expect(existsSync(join(pack, 'CLOSE-COMMANDS.sh'))).toBe(false);
      const proxy = (await (await fetch(`${suite.environment.toxiproxyUrl}/proxies/redis`)).json()) as { enabled: boolean };
      expect(proxy.enabled).toBe(true);
    });

    it('passes a secret named by --secret-env to the script and writes it nowhere, whatever its name', async () => {
      const dir = join(project, 'secret-scenario');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'load.js'),
        `import http from 'k6/http';\nexport const options = { vus: 1, iterations: 2 };\nexport default function () { console.log('signing with ' + __ENV.SIGNING_KEY); http.get(__ENV.FAULTLINE_TARGET + '/item'); }\n`,
      );
      writeFileSync(join(dir, 'scenario.ts'), `export default { name: 'tiny-secret', description: 'logs its secret', services: ['redis'], load: { script: './load.js' }, phases: [{ name: 'a', duration: '1s' }] };\n`);
      const secret = 'sk-live-0a1b2c3d4e5f';
      const result = await cli(['chaos', join(dir, 'scenario.ts'), '--target', suite.target.url, '--secret-env', 'SIGNING_KEY', '--report-dir', join(project, 'secret-pack')], { SIGNING_KEY: secret });
      expect(result.code, result.stderr).toBe(0);
      const files: string[] = [];
      const walk = (d: string) => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name))));
      walk(join(project, 'secret-pack'));
      const k6Log = files.find((f) => f.endsWith('k6.log'))!;
      expect(readFileSync(k6Log, 'utf8')).toContain('signing with [REDACTED]');
      for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
      const summary = JSON.parse(readFileSync(join(project, 'secret-pack', 'smoke-summary.json'), 'utf8'));
      expect(summary.replay).toContain('--secret-env SIGNING_KEY');
      expect(readFileSync(join(project, 'secret-pack', 'CLOSURE.md'), 'utf8')).toContain('secrets: $SIGNING_KEY');
    });
  });
});
