import { describe, expect, it } from 'vitest';
import { criticalPath, describeCriticalPath, startupSteps, startupTable } from './critical-path.ts';
import type { EnvironmentState, ServiceRecord } from './state.ts';

const record = (name: string, atMs: number, readyMs: number, deps: string[] = [], waitedMs = 0): ServiceRecord => ({ name, envVar: 'X', dataDir: '', startup: { atMs, readyMs, for: deps, waitedMs } });

function state(): EnvironmentState {
  return {
    version: 1,
    status: 'up',
    ownerPid: 1,
    startedAt: '',
    seed: 1,
    configHash: '',
    runtime: 'local',
    toxiproxy: record('toxiproxy', 0, 50),
    services: {
      postgres: record('postgres', 0, 600),
      anvil: record('anvil', 0, 100),
      farcaster: record('farcaster', 100, 300, ['anvil'], 100),
      app: record('app', 600, 900, ['postgres', 'farcaster'], 600),
    },
  };
}

describe('startupSteps / criticalPath', () => {
  it('names the dependency each service really waited for: the one ready last', () => {
    const steps = startupSteps(state());
    expect(steps.map((s) => s.name)).toEqual(['toxiproxy', 'anvil', 'farcaster', 'postgres', 'app']);
    const app = steps.find((s) => s.name === 'app')!;
    expect(app).toMatchObject({ startedAtMs: 600, readyAtMs: 1500, waitedMs: 600, waitedFor: 'postgres' });
    expect(steps.find((s) => s.name === 'farcaster')).toMatchObject({ readyAtMs: 400, waitedFor: 'anvil' });
  });

  it('follows the last-ready service back through what it waited for', () => {
    expect(criticalPath(startupSteps(state())).map((s) => s.name)).toEqual(['postgres', 'app']);
  });
});

describe('started-only waits', () => {
  // anvil ready at 400; llm launched at 0, URL at 150, ready at 2000; app waits for anvil ready and llm started only.
  function withStartedWait(): EnvironmentState {
    const base = state();
    base.services = {
      anvil: { ...record('anvil', 0, 400), startup: { atMs: 0, readyMs: 400, for: [], waitedMs: 0, startedMs: 120 } },
      llm: { ...record('llm', 0, 2000), startup: { atMs: 0, readyMs: 2000, for: [], waitedMs: 0, startedMs: 150 } },
      app: { ...record('app', 400, 900), startup: { atMs: 400, readyMs: 900, for: ['anvil'], forStarted: ['llm'], waitedMs: 400, startedMs: 30 } },
      worker: { ...record('worker', 500, 100), startup: { atMs: 500, readyMs: 100, for: [], forStarted: ['llm', 'app'], waitedMs: 500, startedMs: 10 } },
    };
    return base;
  }

  it('judges a started-only dependency by when its URL existed, not by when it was ready', () => {
    const steps = startupSteps(withStartedWait());
    // llm was ready last (2000) but the app only needed its URL (150): anvil's readiness (400) is what it waited for.
    expect(steps.find((s) => s.name === 'app')).toMatchObject({ startedAtMs: 400, urlAtMs: 430, readyAtMs: 1300, waitedFor: 'anvil', waitedUntil: 'ready' });
    // The worker's last wait was the app's URL (430), later than llm's (150).
    expect(steps.find((s) => s.name === 'worker')).toMatchObject({ waitedFor: 'app', waitedUntil: 'started' });
  });

  it('shows a started-only link of the critical path at its URL time, and the condition in the table', () => {
    const base = withStartedWait();
    // The worker is ready last here: its chain runs through the app's start, not the app's readiness.
    base.services.worker!.startup = { atMs: 500, readyMs: 3000, for: [], forStarted: ['llm', 'app'], waitedMs: 500, startedMs: 10 };
    const steps = startupSteps(base);
    const chain = criticalPath(steps);
    expect(chain.map((s) => s.name)).toEqual(['anvil', 'app', 'worker']);
    expect(describeCriticalPath(chain)).toBe('anvil (0→400) → app (400→started 430) → worker (500→3500)');
    const { headers, rows } = startupTable(steps);
    const row = rows.find((r) => r[0] === 'worker')!;
    expect(row[headers.indexOf('for (satisfied last)')]).toBe('app (started)');
    expect(row[headers.indexOf('url at')]).toBe('510');
  });
});
