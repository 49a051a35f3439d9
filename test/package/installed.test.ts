import { execFile, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/environment.ts';
import { processesWithEnv } from '../support/processes.ts';

const run = promisify(execFile);
const MARKER = 'FAULTLINE_PACKAGE_TEST';

/** A command in the project, as its developer would type it; resolves with its exit code and output. */
function sh(cwd: string, command: string, args: string[], marker: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, [MARKER]: marker, npm_config_yes: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

// Faultline as a team meets it: packed, installed into a project of their own outside this
// repository, set up with `faultline init`, pointed at their app, run with their scenario.
describe('the packed package in a project of its own', () => {
  const project = mkdtempSync(join(tmpdir(), 'faultline-user-'));
  const marker = `pkg-${process.pid}`;
  const faultline = (...args: string[]) => sh(project, 'npx', ['faultline', ...args], marker);

  beforeAll(async () => {
    chmodSync(project, 0o755); // as root, Postgres runs as the postgres user and must reach its data dir
    const packed = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
    const { stdout } = await run('npm', ['pack', '--pack-destination', packed, '--silent'], { cwd: REPO_ROOT, maxBuffer: 1 << 24 });
    const tarball = join(packed, stdout.trim().split('\n').at(-1)!);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'shop', private: true, type: 'module', scripts: { start: 'node server.mjs' } }, null, 2)}\n`);
    copyFileSync(join(REPO_ROOT, 'test/fixtures/shop/server.mjs'), join(project, 'server.mjs'));
    await run('npm', ['install', '--no-audit', '--no-fund', '--save-dev', tarball], { cwd: project, maxBuffer: 1 << 24 });
    await run('npm', ['install', '--no-audit', '--no-fund', 'pg@^8', 'ioredis@^5'], { cwd: project, maxBuffer: 1 << 24 });
  }, 400_000);
  afterAll(async () => {
    await faultline('env', 'down');
    rmSync(project, { recursive: true, force: true });
  });

  it('installs lean: compiled JavaScript with types, no tests, no examples, no heavy optional parts', () => {
    const root = join(project, 'node_modules/faultline');
    expect(existsSync(join(root, 'dist/index.js')) && existsSync(join(root, 'dist/index.d.ts'))).toBe(true);
    const files = readdirSync(root, { recursive: true }).map(String);
    expect(files.filter((f) => /\.test\.|(^|\/)(test|bench|examples|\.ci)\//.test(f))).toEqual([]);
    for (const heavy of ['viem', '@foundry-rs/anvil', '@farcaster/core', 'testcontainers']) expect(existsSync(join(project, 'node_modules', heavy)), heavy).toBe(false);
  });

  it('imports from plain node (no loader) and starts an environment there', async () => {
    const script = `import { startEnvironment, defineConfig } from 'faultline';
const env = await startEnvironment(defineConfig({ stateDir: ${JSON.stringify(join(project, '.plain-state'))}, dotenvFile: ${JSON.stringify(join(project, '.plain-env'))}, services: { redis: true } }));
console.log(JSON.stringify({ url: env.services.redis.url, direct: env.services.redis.directUrl }));
await env.stop();`;
    writeFileSync(join(project, 'plain.mjs'), script);
    const result = await sh(project, process.execPath, ['plain.mjs'], marker);
    expect(result.code, result.stderr).toBe(0);
    const { url, direct } = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { url: string; direct: string };
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe(direct);
  }, 60_000);

  it('`faultline init` writes the config, an example scenario, npm scripts and .gitignore lines, and never over a file the user has', async () => {
    const init = await faultline('init', '--command', 'node server.mjs', '--port-env', 'HTTP_PORT', '--health', '/health');
    expect(init.code, init.stderr).toBe(0);
    for (const file of ['faultline.config.ts', 'faultline/scenarios/example/scenario.ts', 'faultline/scenarios/example/load.js']) expect(existsSync(join(project, file)), file).toBe(true);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts).toMatchObject({ 'env:up': 'faultline env up', 'env:down': 'faultline env down', chaos: 'faultline chaos', 'chaos:example': 'faultline chaos example', start: 'node server.mjs' });
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toContain('.faultline/');
    writeFileSync(join(project, 'faultline.config.ts'), '// mine\nexport default {};\n');
    const again = await faultline('init');
    expect(again.stdout).toContain('kept   faultline.config.ts');
    expect(readFileSync(join(project, 'faultline.config.ts'), 'utf8')).toContain('// mine');
  }, 60_000);

  it("runs the team's own scenario against the team's own app: PASS with its mitigation, FAIL without, nothing left running", async () => {
    writeFileSync(
      join(project, 'faultline.config.ts'),
      `import { defineConfig } from 'faultline';
export default defineConfig({
  services: {
    postgres: {},
    redis: true,
    shop: {
      command: 'node server.mjs',
      port: { env: 'HTTP_PORT' },
      health: '/health',
      dependsOn: ['postgres', 'redis'],
      env: ({ postgres, redis }) => ({ PG_CONNECTION: postgres.url, CACHE_HOST: redis.host, CACHE_PORT: String(redis.port) }),
      mitigations: { env: 'SHOP_MITIGATIONS', names: { 'cache-fallback': 'reads fall back to Postgres when Redis fails' } },
    },
  },
});
`,
    );
    mkdirSync(join(project, 'faultline/scenarios/redis-outage'), { recursive: true });
    writeFileSync(
      join(project, 'faultline/scenarios/redis-outage/scenario.ts'),
      `import { defineScenario } from 'faultline';
export default defineScenario({
  name: 'redis-outage',
  description: 'Redis unreachable while customers browse; the shop must serve from Postgres',
  services: ['postgres', 'redis', 'shop'],
  load: { script: './load.js', profiles: { smoke: { rps: 10 } } },
  phases: [{ name: 'baseline', duration: '3s' }, { name: 'fault', duration: '4s' }, { name: 'recovery', duration: '3s' }],
  faults: [{ fault: 'down', target: 'redis', at: 'fault' }],
  assertions: { thresholds: { 'http_req_failed{phase:fault}': ['rate<0.05'] }, profileThresholds: ['baseline'] },
  invariants: [{ name: 'orders once per key', sql: 'select key from orders group by key having count(*) > 1', expect: 'no rows' }],
});
`,
    );
    writeFileSync(
      join(project, 'faultline/scenarios/redis-outage/load.js'),
      `import http from 'k6/http';
import * as faultline from 'faultline/k6';
export const options = faultline.options();
export const setup = faultline.setup;
export default faultline.iteration(() => {
  http.get(\`\${faultline.target}/items\`, { tags: { name: 'items' } });
});
`,
    );
    const pass = await faultline('chaos', 'redis-outage');
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stderr).toMatch(/PASS: redis-outage \(smoke\)/);
    const fail = await faultline('chaos', 'redis-outage', '--mitigations', '-cache-fallback');
    expect(fail.code, fail.stderr).toBe(1);
    expect(fail.stderr).toMatch(/FAIL: redis-outage \(smoke\)[\s\S]*threshold http_req_failed\{phase:fault\} rate<0\.05 failed/);
    const reports = readdirSync(join(project, 'reports')).filter((d) => d.startsWith('redis-outage-'));
    const summary = JSON.parse(readFileSync(join(project, 'reports', reports.sort().at(-1)!, 'summary.json'), 'utf8')) as { replay: string; invariants: Array<{ ok: boolean }> };
    expect(summary.replay).toMatch(/^npm run chaos -- faultline\/scenarios\/redis-outage\/scenario\.ts --profile smoke --seed \d+ --mitigations -cache-fallback$/);
    expect(summary.invariants).toEqual([expect.objectContaining({ ok: true })]);
    // Both runs started their own environment and stopped it: no process of theirs is left.
    expect(processesWithEnv(MARKER, marker, project)).toEqual([]);
    expect(existsSync(join(project, '.faultline/env.json'))).toBe(false);
  }, 240_000);

  it('signs off, writes its CI workflow and exports a k6-operator run from the package: faultline ci, init --ci github, export k8s', async () => {
    const ci = await faultline('ci', 'redis-outage', '--report-dir', 'reports/ci', '--issue', '7');
    expect(ci.code, ci.stderr).toBe(0);
    for (const file of ['smoke-summary.json', 'smoke-junit.xml', 'OVERVIEW.md', 'CLOSURE.md', 'COMMENT.md', 'FINAL-STEPS.md', 'CLOSE-COMMANDS.sh']) expect(existsSync(join(project, 'reports/ci', file)), file).toBe(true);
    expect(readFileSync(join(project, 'reports/ci/OVERVIEW.md'), 'utf8')).toMatch(/\| redis-outage \| smoke \| ✅ PASS \| \d+ \|/);
    expect(processesWithEnv(MARKER, marker, project)).toEqual([]);

    const init = await faultline('init', '--ci', 'github');
    expect(init.code, init.stderr).toBe(0);
    expect(readFileSync(join(project, '.github/workflows/faultline.yml'), 'utf8')).toContain('npx faultline ci --profile "$FAULTLINE_PROFILE"');

    const exported = await faultline('export', 'k8s', 'redis-outage', '--parallelism', '2', '--target', 'http://shop.default.svc:8080', '--out', 'k8s');
    expect(exported.code, exported.stderr).toBe(0);
    for (const file of ['archive.tar', 'testrun.yaml', 'configmap.yaml', 'chaos-mesh.yaml', 'plan.json', 'README.md']) expect(existsSync(join(project, 'k8s', file)), file).toBe(true);
    // The helper ('faultline/k6') is inside the bundled script, so the pods need no package.
    expect(readFileSync(join(project, 'k8s/script.js'), 'utf8')).not.toMatch(/from ['"]faultline\/k6['"]/);
  }, 240_000);
});
