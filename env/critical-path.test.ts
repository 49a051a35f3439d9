import { describe, expect, it } from 'vitest';
import { criticalPath, startupSteps } from './critical-path.ts';
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
