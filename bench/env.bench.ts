/**
 * `npm run bench:env`: how long the environment takes to come up and go down.
 * 5 runs each of warm up (cached Postgres template), down, and cold up (a fresh `home`:
 * no template, so initdb runs; tools come from the existing binaries, so installs are
 * excluded). A bare `postgres` start from a copy of the template is timed in the same
 * run as a machine-speed baseline, so the ratios compare across machines.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { FaultlineConfig } from '../env/config.ts';
import { startEnvironment, stopEnvironment } from '../env/environment.ts';
import { freePort } from '../env/ports.ts';
import { isAlive } from '../lib/processes.ts';
import { Toolbox } from '../env/tools/toolbox.ts';
import { table } from '../scripts/table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const HOME = join(ROOT, '.faultline');
const RUNS = 5;
const SERVICES = { postgres: {}, redis: true, anvil: {} };

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // as root, postgres runs as the postgres user and must reach inside
  return dir;
}

function config(home: string): FaultlineConfig {
  const dir = tempDir('faultline-bench-');
  return { home, stateDir: join(dir, 'state'), dotenvFile: join(dir, '.env.faultline'), services: SERVICES };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Copy the cached template and start a bare postmaster on it until it answers a query: the floor under warm up. */
async function barePostgresStart(): Promise<number> {
  const tool = await new Toolbox().get('postgres');
  const template = join(HOME, 'cache', `postgres-${tool.version}-template`);
  if (!existsSync(template)) throw new Error(`no Postgres template at ${template}: run \`npm run env:up\` once first`);
  const dir = tempDir('faultline-bench-pg-');
  const dataDir = join(dir, 'pgdata');
  const port = await freePort();
  const user = postgresUser();
  let pid = 0;
  const elapsed = await timed(async () => {
    await run('cp', ['-a', template, dataDir]);
    const child = spawn(tool.path, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'], {
      stdio: 'ignore',
      detached: true,
      uid: user?.uid,
      gid: user?.gid,
    });
    pid = child.pid!;
    for (;;) {
      const client = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 15));
      } finally {
        await client.end().catch(() => {});
      }
    }
  });
  process.kill(-pid, 'SIGINT');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 10));
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root without a postgres user: run `npm run env:up` once first (it creates one)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/**
 * The containers runtime, same services, when a Docker engine answers and the images are
 * there (FAULTLINE_<NAME>_IMAGE or the official ones): pulls are never timed. Returns why not otherwise.
 */
async function containersRuns(): Promise<{ up: number[]; down: number[] } | string> {
  const { dockerAnswers } = await import('../env/runtimes/containers.ts');
  if (!(await dockerAnswers())) return 'no Docker engine answered';
  const first = { ...config(HOME), runtime: 'containers' as const };
  try {
    await startEnvironment(first); // unmeasured: a missing image fails here, before any timing
  } catch (error) {
    return (error as Error).message.split('\n')[0]!;
  } finally {
    await stopEnvironment(first);
  }
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = { ...config(HOME), runtime: 'containers' as const };
    up.push(await timed(() => startEnvironment(c)));
    down.push(await timed(() => stopEnvironment(c)));
  }
  return { up, down };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);

async function main(): Promise<void> {
  const tools = new Toolbox();
  // Cold runs get a fresh home; point them at the binaries we have, so no install is timed.
  process.env.FAULTLINE_TOXIPROXY ??= (await tools.get('toxiproxy-server')).path;
  process.env.FAULTLINE_REDIS ??= (await tools.get('redis-server')).path;

  // One unmeasured round first: the template exists and the page cache is warm.
  const warmup = config(HOME);
  await startEnvironment(warmup);
  await stopEnvironment(warmup);

  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) baseline.push(await barePostgresStart());

  const warmUp: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = config(HOME);
    warmUp.push(await timed(() => startEnvironment(c)));
    down.push(await timed(() => stopEnvironment(c)));
  }

  const coldUp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const home = tempDir('faultline-bench-home-');
    const c = config(home);
    coldUp.push(await timed(() => startEnvironment(c)));
    await stopEnvironment(c);
    rmSync(home, { recursive: true, force: true });
  }

  const containers = await containersRuns();

  const base = median(baseline);
  const rows: Array<[string, number[], number | undefined]> = [
    ['bare postgres start (baseline)', baseline, undefined],
    ['warm env up (all services ready)', warmUp, 1500],
    ['env down', down, 1000],
    ['cold env up (no template)', coldUp, 6000],
  ];
  if (typeof containers === 'string') console.log(`\ncontainers runtime: not measured (${containers})`);
  else rows.push(['containers: env up (images present)', containers.up, 10_000], ['containers: env down', containers.down, 5000]);
  const ms = (x: number) => `${Math.round(x)} ms`;
  console.log(`\nenvironment benchmark: ${RUNS} runs each, services ${Object.keys(SERVICES).join(' + ')} + toxiproxy (library API, in-process)`);
  // Other work on the machine skews absolute times; the baseline ratio is what compares across machines.
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min)\n`);
  const body = rows.map(([what, xs, target]) => [
    what,
    ms(median(xs)),
    ms(max(xs)),
    target ? `≤ ${ms(target)}` : '-',
    target ? `${(median(xs) / base).toFixed(1)}×` : '1.0×',
    target ? (median(xs) <= target ? 'ok' : 'OVER') : '',
  ]);
  console.log(table(['what', 'median', 'max', 'target', 'median / baseline', 'verdict'], body));
  console.log(`\nall runs (ms): ${rows.map(([what, xs]) => `${what.split(' (')[0]}: ${xs.map((x) => Math.round(x)).join(', ')}`).join(' | ')}`);
}

await main();
