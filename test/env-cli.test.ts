import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, HOST } from '../env/ports.ts';
import { services as knownServices } from '../env/services/index.ts';
import { readState } from '../env/state.ts';
import { REPO_ROOT } from './support/environment.ts';
import { describeProcess, leftovers, parentOf, processesWithEnv, recordedResources } from './support/processes.ts';

// Every CLI run is tagged through its environment; services inherit it, so "nothing left running" can be checked exhaustively.
const MARKER = 'FAULTLINE_TEST_RUN';

interface Workspace {
  dir: string;
  configFile: string;
  stateDir: string;
  dotenvFile: string;
  marker: string;
}

const workspaces: Workspace[] = [];

/** A temp folder with a config file whose state and dotenv file live inside it. */
function workspace(services: unknown = { postgres: {}, redis: true, anvil: {} }, extra = ''): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  chmodSync(dir, 0o755); // as root, postgres runs as the postgres user and must reach its data dir
  const ws = { dir, configFile: join(dir, 'faultline.config.ts'), stateDir: join(dir, 'state'), dotenvFile: join(dir, '.env.faultline'), marker: randomUUID() };
  const config = { home: join(REPO_ROOT, '.faultline'), stateDir: ws.stateDir, dotenvFile: ws.dotenvFile, services };
  writeFileSync(ws.configFile, `${extra}export default ${JSON.stringify(config, null, 2)};\n`);
  workspaces.push(ws);
  return ws;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(ws: Workspace, args: string[], env: Record<string, string> = {}): ChildProcess & { result: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', '--config', ws.configFile, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, [MARKER]: ws.marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const result = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return Object.assign(child, { result });
}

const cli = (ws: Workspace, args: string[], env?: Record<string, string>) => start(ws, args, env).result;

const running = (ws: Workspace) => processesWithEnv(MARKER, ws.marker, ws.dir).map(describeProcess);

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  // Whatever a failed test left behind: stop it, so no suite leaks processes.
  for (const ws of workspaces) if (readState(ws.stateDir)) await cli(ws, ['env', 'down']);
});

describe('faultline env (CLI)', () => {
  it('env up writes env.json and a dotenv file, a second env up reuses it, env status is healthy, env down frees everything', async () => {
    const ws = workspace();
    const up = await cli(ws, ['env', 'up']);
    expect(up.stderr).not.toContain('✖');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Environment up in \d+ ms/);

    const state = readState(ws.stateDir)!;
    expect(state.status).toBe('up');
    expect(Object.keys(state.services).sort()).toEqual(['anvil', 'postgres', 'redis']);
    const dotenv = Object.fromEntries(
      readFileSync(ws.dotenvFile, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    for (const name of ['DATABASE', 'REDIS', 'RPC']) {
      expect(dotenv[`${name}_URL`]).toMatch(/^\w+:\/\/.*127\.0\.0\.1:\d+/);
      expect(dotenv[`${name}_DIRECT_URL`]).toMatch(/^\w+:\/\/.*127\.0\.0\.1:\d+/);
      expect(dotenv[`${name}_URL`]).not.toBe(dotenv[`${name}_DIRECT_URL`]);
    }
    expect(dotenv.DATABASE_URL).toBe(state.services.postgres!.url);
    expect(dotenv.DATABASE_DIRECT_URL).toBe(state.services.postgres!.directUrl);

    const again = await cli(ws, ['env', 'up']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already up, reused');
    expect(readState(ws.stateDir)!.services.redis!.process!.pid).toBe(state.services.redis!.process!.pid);

    const status = await cli(ws, ['env', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout.match(/healthy/g)).toHaveLength(4);

    const resources = recordedResources(state);
    const down = await cli(ws, ['env', 'down']);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/Environment stopped in \d+ ms/);
    expect(await leftovers(resources)).toEqual({ processes: [], ports: [] });
    expect(running(ws)).toEqual([]);
    expect(existsSync(join(ws.stateDir, 'env.json'))).toBe(false);
    expect(existsSync(ws.dotenvFile)).toBe(false);

    const after = await cli(ws, ['env', 'status']);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('No environment is running');
    expect((await cli(ws, ['env', 'down'])).stdout).toContain('No environment was running');
  });

  it('env status exits 1 when a service process died', async () => {
    const ws = workspace({ redis: true });
    expect((await cli(ws, ['env', 'up'])).code).toBe(0);
    process.kill(readState(ws.stateDir)!.services.redis!.process!.pid, 'SIGKILL');
    const status = await cli(ws, ['env', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/redis\s+\d+\s+process gone/);
    expect((await cli(ws, ['env', 'down'])).code).toBe(0);
    expect(running(ws)).toEqual([]);
  });

  it('two concurrent env ups start only one set of processes', async () => {
    const ws = workspace();
    const [a, b] = await Promise.all([cli(ws, ['env', 'up']), cli(ws, ['env', 'up'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([a.stdout, b.stdout].filter((o) => o.includes('already up, reused'))).toHaveLength(1);
    const state = readState(ws.stateDir)!;
    const { pids } = recordedResources(state);
    // Every process of this run is a recorded one or a child of one (postgres backends): no second set.
    const stray = processesWithEnv(MARKER, ws.marker, ws.dir).filter((pid) => !pids.includes(pid) && !pids.includes(parentOf(pid)!));
    expect(stray.map(describeProcess)).toEqual([]);
    expect(pids).toHaveLength(4);
    await cli(ws, ['env', 'down']);
    expect(running(ws)).toEqual([]);
  });

  it('env down cleans up after an env up that has finished: its services outlive it, detached', async () => {
    const ws = workspace({ redis: true, anvil: {} });
    expect((await cli(ws, ['env', 'up'])).code).toBe(0);
    const state = readState(ws.stateDir)!;
    expect(running(ws).length).toBeGreaterThanOrEqual(3);
    expect((await cli(ws, ['env', 'down'])).code).toBe(0);
    expect(await leftovers(recordedResources(state))).toEqual({ processes: [], ports: [] });
    expect(running(ws)).toEqual([]);
    expect(readState(ws.stateDir)).toBeUndefined();
  });

  it('env down cleans up after an env up that was killed with SIGKILL mid-start', async () => {
    const ws = workspace();
    const up = start(ws, ['env', 'up']);
    // Killed as soon as the first service has been launched: others may be half-way through spawning.
    await waitFor('a launched service', () => {
      const state = readState(ws.stateDir);
      return state && Object.values(state.services).some((s) => s.process) ? state : undefined;
    });
    up.kill('SIGKILL');
    await up.result;
    const state = readState(ws.stateDir)!;
    expect(state.status).toBe('starting');
    expect(running(ws).length).toBeGreaterThan(0);

    const down = await cli(ws, ['env', 'down']);
    expect(down.code).toBe(0);
    expect(await leftovers(recordedResources(state))).toEqual({ processes: [], ports: [] });
    expect(running(ws)).toEqual([]);
    expect(readState(ws.stateDir)).toBeUndefined();
    expect(existsSync(join(ws.stateDir, 'run'))).toBe(false);
  });

  it('an invalid config exits 2 naming the file and field, and starts nothing', async () => {
    const ws = workspace({ redis: { port: 'six' }, anvil: { chainId: 0 } });
    const run = await cli(ws, ['env', 'up']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${ws.configFile} is invalid`);
    expect(run.stderr).toMatch(/services\.redis\.port: .*expected number/);
    expect(run.stderr).toMatch(/services\.anvil\.chainId: /);
    expect(running(ws)).toEqual([]);
    expect(existsSync(ws.stateDir)).toBe(false);
  });

  it('an unknown service exits 2 listing the known services, and starts nothing', async () => {
    const ws = workspace({ redis: true, mongo: true });
    const run = await cli(ws, ['env', 'up']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('services.mongo: unknown service "mongo"');
    for (const name of Object.keys(knownServices)) expect(run.stderr).toContain(name);
    expect(running(ws)).toEqual([]);
    expect(existsSync(ws.stateDir)).toBe(false);
  });

  it('a pinned port already in use is a PortInUseError: exit 2, nothing left running', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, HOST, r));
    try {
      const ws = workspace({ postgres: {}, redis: { port } });
      const run = await cli(ws, ['env', 'up']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`redis: port 127.0.0.1:${port} is already in use`);
      expect(running(ws)).toEqual([]);
      expect(readState(ws.stateDir)).toBeUndefined();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('a containers start that fails (no Docker engine, or an image it cannot get) exits 2, leaves no state behind, and a local start then works', async () => {
    const ws = workspace({ redis: true });
    const failed = await cli(ws, ['--runtime', 'containers', 'env', 'up'], { FAULTLINE_TOXIPROXY_IMAGE: 'faultline-missing/toxiproxy:none', TESTCONTAINERS_RYUK_DISABLED: 'true' });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/The containers runtime needs a Docker engine|faultline-missing\/toxiproxy:none is not on this machine/);
    expect(readState(ws.stateDir)).toBeUndefined();
    const up = await cli(ws, ['--runtime', 'local', 'env', 'up']);
    expect(up.code, up.stderr).toBe(0);
    expect((await cli(ws, ['env', 'down'])).code).toBe(0);
  }, 120_000);

  it('a dotenv file Faultline did not write is neither overwritten nor deleted, and nothing starts', async () => {
    const ws = workspace({ redis: true });
    writeFileSync(ws.dotenvFile, 'API_SECRET=mine\n');
    const up = await cli(ws, ['env', 'up']);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain(`${ws.dotenvFile} exists and was not written by Faultline`);
    expect(readFileSync(ws.dotenvFile, 'utf8')).toBe('API_SECRET=mine\n');
    expect(running(ws)).toEqual([]);
    await cli(ws, ['env', 'down']);
    expect(readFileSync(ws.dotenvFile, 'utf8')).toBe('API_SECRET=mine\n');
  }, 60_000);

  it('a binary that crashes at start fails with its last log lines, and everything already started is stopped', async () => {
    const ws = workspace({ postgres: {}, redis: true, anvil: {} });
    const fake = join(ws.dir, 'crashing-redis-server');
    writeFileSync(
      fake,
      '#!/bin/sh\nif [ "$1" = --version ]; then echo "Redis server v=0.0.0-fake"; exit 0; fi\necho "fake redis: refusing to start (simulated crash)"\nexit 1\n',
      { mode: 0o755 },
    );
    const run = await cli(ws, ['env', 'up'], { FAULTLINE_REDIS: fake });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('redis exited during start-up (exit code 1)');
    expect(run.stderr).toContain('fake redis: refusing to start (simulated crash)');
    expect(running(ws)).toEqual([]);
    expect(readState(ws.stateDir)).toBeUndefined();
    expect(existsSync(ws.dotenvFile)).toBe(false);
  });
});
