import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvironmentState } from '../state.ts';
import { isAlive, stopProcessGroup } from '../../lib/processes.ts';
import { launch, localRuntime } from './local.ts';

/** A state file that recorded nothing: what env:down finds after an env:up killed right after a spawn. */
function unrecordedState(stateDir: string): EnvironmentState {
  return {
    version: 1,
    status: 'starting',
    ownerPid: 0,
    startedAt: new Date().toISOString(),
    seed: 1,
    configHash: 'test',
    runtime: 'local',
    toxiproxy: { name: 'toxiproxy', envVar: 'TOXIPROXY_URL', dataDir: join(stateDir, 'run', 'toxiproxy') },
    services: {},
  };
}

/** Waits until `pid` runs `command`: right after spawn it is still a copy of this process, with our cwd and environment. */
async function running(pid: number, command: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(`${command}\0`)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} did not exec ${command} within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('local runtime teardown of servers it never recorded', () => {
  const pids: number[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(pids.splice(0).map((pid) => stopProcessGroup(pid, 'SIGKILL', 0)));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function stateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-local-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'run'));
    return dir;
  }

  it('stops a server named by a pid file in the run dir even when it runs outside it (a mock in the repo root)', async () => {
    const dir = stateDir();
    const server = launch({ command: 'sleep', args: ['30'], cwd: tmpdir() }, join(dir, 'mock.log'), join(dir, 'run', 'mock.pid'));
    pids.push(server.pid);
    await running(server.pid, 'sleep');
    await localRuntime.teardown(unrecordedState(dir));
    expect(isAlive(server.pid)).toBe(false);
  });

  it('leaves alone a process a pid file names that is neither in the run dir nor launched for it', async () => {
    const dir = stateDir();
    const other = stateDir();
    // Launched for another environment's run dir, then named by this one's pid file (a reused pid).
    const stranger = launch({ command: 'sleep', args: ['30'], cwd: tmpdir() }, join(other, 'x.log'), join(other, 'run', 'x.pid'));
    pids.push(stranger.pid);
    await running(stranger.pid, 'sleep');
    writeFileSync(join(dir, 'run', 'mock.pid'), String(stranger.pid));
    await localRuntime.teardown(unrecordedState(dir));
    expect(isAlive(stranger.pid)).toBe(true);
  });
});
