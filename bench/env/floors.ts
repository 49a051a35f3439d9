/**
 * Floors for bench:env: each binary started bare (no Faultline around it) until it answers
 * the same kind of real request its probe sends. The environment cannot be up sooner than
 * the slowest of these, since they all start in parallel.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { memoryBase } from '../../env/run-dir.ts';
import { join } from 'node:path';
import pg from 'pg';
import { fetchJson } from '../../lib/http.ts';
import { isAlive, stopProcessGroup } from '../../lib/processes.ts';
import { freePort } from '../../env/ports.ts';
import { jsonRpc } from '../../env/services/anvil.ts';
import { redisCommand } from '../../env/services/redis.ts';
import { Toolbox } from '../../env/tools/toolbox.ts';
import { mockEntry } from '../../mocks/bundle.ts';

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // as root, postgres runs as the postgres user and must reach inside
  return dir;
}

export function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root without a postgres user: run `npm run env:up` once first (it creates one)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Spawns `command` in its own group, polls `probe` until it answers, stops it; returns the ms from spawn to the first answer. */
async function bareStart(command: string, args: string[], probe: () => Promise<unknown>, options: { uid?: number; gid?: number; cwd?: string; before?: () => Promise<void>; stop?: NodeJS.Signals } = {}): Promise<number> {
  const started = performance.now();
  await options.before?.();
  const child = spawn(command, args, { stdio: 'ignore', detached: true, uid: options.uid, gid: options.gid, cwd: options.cwd });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${command} exited before it answered`);
      try {
        await probe();
        return performance.now() - started;
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  } finally {
    await stopProcessGroup(child.pid!, options.stop ?? 'SIGTERM', 3000).catch(() => {});
    while (isAlive(child.pid!)) await new Promise((r) => setTimeout(r, 10));
  }
}

/** Copy of the cached template, then a bare postmaster on it until it answers a query. */
export async function barePostgres(template: string): Promise<number> {
  const tool = await new Toolbox().get('postgres');
  if (!existsSync(template)) throw new Error(`no Postgres template at ${template}: run \`npm run env:up\` once first`);
  const dir = mkdtempSync(join(memoryBase() ?? tmpdir(), 'faultline-bench-pg-')); // where env up puts its data (env/run-dir.ts)
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'pgdata');
  const port = await freePort();
  const user = postgresUser();
  const query = async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => {});
    }
  };
  const copy = () => run('cp', ['-a', template, dataDir]); // keeps modes and owner
  try {
    return await bareStart(tool.path, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'], query, { ...user, before: copy, stop: 'SIGINT' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function bareRedis(): Promise<number> {
  const tool = await new Toolbox().get('redis-server');
  const port = await freePort();
  const dir = tempDir('faultline-bench-redis-');
  try {
    return await bareStart(tool.path, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], () => redisCommand(`redis://127.0.0.1:${port}`, 'PING'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function bareAnvil(): Promise<number> {
  const tool = await new Toolbox().get('anvil');
  const port = await freePort();
  return bareStart(tool.path, ['--host', '127.0.0.1', '--port', String(port), '--silent'], () => jsonRpc(`http://127.0.0.1:${port}`, 'eth_blockNumber', [], 500));
}

export async function bareToxiproxy(): Promise<number> {
  const tool = await new Toolbox().get('toxiproxy-server');
  const port = await freePort();
  return bareStart(tool.path, ['-host', '127.0.0.1', '-port', String(port)], async () => {
    const response = await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(500) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  });
}

/** Node running a mock's bundle (the payments mock: no upstreams) until its health route answers. */
export async function bareMockNode(): Promise<number> {
  const entry = await mockEntry('payments', 'mocks/payments/main.ts'); // built (or found cached) before the clock starts
  const port = await freePort();
  const launch = JSON.stringify({ port, seed: 1, options: {}, upstreams: {} });
  return bareStart(process.execPath, [entry, launch], () => fetchJson(`http://127.0.0.1:${port}/__faultline/health`, { timeoutMs: 500 }));
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} exited with ${code}`))));
  });
}
