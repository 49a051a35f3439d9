import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentLockedError } from './errors.ts';
import { acquireLock, type EnvironmentState, lockExists, readState, removeState, type ServiceRecord, stopDependentsFirst, writeState } from './state.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'faultline-state-'));

/** A pid that certainly belongs to no live process: one of a child that has exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(result.stdout.toString());
}

describe('acquireLock', () => {
  it('writes our pid into the lock file and removes it on release', async () => {
    const dir = tempDir();
    const release = await acquireLock(dir);
    expect(readFileSync(join(dir, 'env.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(lockExists(dir)).toBe(false);
  });

  it('takes over a stale lock whose holder pid is dead', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'env.lock'), String(deadPid()));
    const started = Date.now();
    const release = await acquireLock(dir, 1000);
    expect(Date.now() - started).toBeLessThan(500);
    expect(readFileSync(join(dir, 'env.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('waits for a live holder and fails with EnvironmentLockedError naming it after the timeout', async () => {
    const dir = tempDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(holder);
    writeFileSync(join(dir, 'env.lock'), String(holder.pid));
    const started = Date.now();
    const error = await acquireLock(dir, 300).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(error).toBeInstanceOf(EnvironmentLockedError);
    expect((error as Error).message).toContain(`pid ${holder.pid}`);
    expect((error as Error).message).toContain(join(dir, 'env.lock'));
  });

  it('gets the lock as soon as a live holder dies', async () => {
    const dir = tempDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(holder);
    writeFileSync(join(dir, 'env.lock'), String(holder.pid));
    setTimeout(() => holder.kill('SIGKILL'), 200);
    const release = await acquireLock(dir, 5000);
    expect(readFileSync(join(dir, 'env.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('lets only one of two concurrent waiters hold the lock at a time', async () => {
    const dir = tempDir();
    const first = await acquireLock(dir);
    let secondHeld = false;
    // A second holder in this process would be refused outright, so simulate one in a child.
    const script = `import('${join(import.meta.dirname, 'state.ts')}').then(async (m) => { const r = await m.acquireLock(${JSON.stringify(dir)}, 5000); console.log('held'); r(); })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    child.stdout!.on('data', () => (secondHeld = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(secondHeld).toBe(false);
    first();
    await new Promise((r) => child.once('exit', r));
    expect(secondHeld).toBe(true);
  });

  it('lets exactly one of many waiters take over a stale lock at a time', async () => {
    // Eight processes see the same dead holder at the same moment; each checks that the lock
    // file still names it while it holds the lock. Four rounds, as the race window is narrow.
    for (let round = 0; round < 4; round++) {
      const dir = tempDir();
      const lockFile = join(dir, 'env.lock');
      writeFileSync(lockFile, String(deadPid()));
      const startAt = Date.now() + 2500; // after every child has loaded tsx
      const script = `import('${join(import.meta.dirname, 'state.ts')}').then(async (m) => {
        const { readFileSync } = await import('node:fs');
        while (Date.now() < ${startAt});
        const release = await m.acquireLock(${JSON.stringify(dir)}, 20000);
        const seen = [readFileSync(${JSON.stringify(lockFile)}, 'utf8')];
        await new Promise((r) => setTimeout(r, 30));
        seen.push(readFileSync(${JSON.stringify(lockFile)}, 'utf8'));
        release();
        console.log(seen.every((pid) => pid === String(process.pid)) ? 'alone' : 'shared with ' + seen.join(','));
      })`;
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => {
          const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
          children.push(child);
          let out = '';
          child.stdout!.on('data', (d) => (out += d));
          child.stderr!.on('data', (d) => (out += d));
          return new Promise<string>((resolve) => child.once('exit', () => resolve(out.trim())));
        }),
      );
      expect(outcomes, `round ${round}`).toEqual(Array(8).fill('alone'));
    }
  }, 180_000); // 32 processes that each load tsx: minutes on a loaded 2-core machine
});

describe('state file', () => {
  it('round-trips and is removed', () => {
    const dir = tempDir();
    const state = { version: 1, status: 'up', ownerPid: 1, startedAt: 'now', seed: 7, configHash: 'x', runtime: 'local', services: {} } as unknown as EnvironmentState;
    writeState(dir, state);
    expect(readState(dir)).toEqual(state);
    expect(existsSync(join(dir, 'env.json'))).toBe(true);
    removeState(dir);
    expect(readState(dir)).toBeUndefined();
  });
});

describe('stopDependentsFirst', () => {
  it('stops each service only after everything that depends on it, and independent ones together', async () => {
    const record = (name: string, dependsOn?: string[]): ServiceRecord => ({ name, envVar: 'X', dataDir: '/tmp', dependsOn });
    const services = Object.fromEntries(
      [record('postgres'), record('redis'), record('anvil'), record('rpc', ['anvil']), record('app', ['postgres', 'redis', 'rpc'])].map((r) => [r.name, r]),
    );
    const events: string[] = [];
    await stopDependentsFirst(services, async (r) => {
      events.push(`start ${r.name}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(`done ${r.name}`);
    });
    const at = (event: string) => events.indexOf(event);
    expect(events).toHaveLength(10);
    for (const dependency of ['postgres', 'redis', 'rpc']) expect(at(`done app`)).toBeLessThan(at(`start ${dependency}`));
    expect(at('done rpc')).toBeLessThan(at('start anvil'));
    // postgres and redis wait for the app only, not for each other.
    expect(at('start redis')).toBeLessThan(at('done postgres'));
  });
});
