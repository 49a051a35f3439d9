import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from './errors.ts';
import { resolveConfig } from '../env/config.ts';
import { targetInfo } from './environment-plan.ts';
import { resolveScenario, targetProblems } from './scenario.ts';

const valid = () => ({
  name: 'redis-outage',
  description: 'Redis unreachable for a window',
  services: ['redis', 'app'],
  load: { script: './load.js' },
  phases: [
    { name: 'baseline', duration: '5s' },
    { name: 'fault', duration: 10_000 },
    { name: 'recovery', duration: '5s' },
  ],
  faults: [{ fault: 'down', target: 'redis', at: 'fault' }],
  assertions: { thresholds: { 'http_req_duration{phase:fault}': ['p(95)<2000'] } },
});

function problems(input: unknown): string[] {
  try {
    resolveScenario(input, '/repo/scenarios/x/scenario.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioInvalidError);
    expect((error as Error).message).toContain('/repo/scenarios/x/scenario.ts');
    return (error as ScenarioInvalidError).issues;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('resolveScenario', () => {
  it('puts phases end to end and starts a fault named by phase at that phase, for its length', () => {
    const s = resolveScenario(valid(), '/repo/scenarios/x/scenario.ts');
    expect(s.phases).toEqual([
      { name: 'baseline', startMs: 0, endMs: 5000 },
      { name: 'fault', startMs: 5000, endMs: 15_000 },
      { name: 'recovery', startMs: 15_000, endMs: 20_000 },
    ]);
    expect(s.durationMs).toBe(20_000);
    expect(s.faults).toEqual([{ name: 'down@redis', fault: 'down', target: 'redis', atMs: 5000, durationMs: 10_000, params: {} }]);
    expect(s.load.scriptPath).toBe('/repo/scenarios/x/load.js');
    expect(s.target).toEqual({}); // the one app the environment declares
  });

  it('takes offsets and explicit durations, and leaves a fault without duration applied to the end', () => {
    const s = resolveScenario({ ...valid(), faults: [{ fault: 'latency', target: 'redis', at: '7.5s', params: { latency: 300, jitter: 100 } }] });
    expect(s.faults[0]).toMatchObject({ atMs: 7500, durationMs: undefined, params: { latency: 300, jitter: 100 } });
  });

  it('merges profile overrides into the default profiles', () => {
    const s = resolveScenario({ ...valid(), load: { script: 'l.js', profiles: { smoke: { requests: 40 }, soak: { requests: 1000, concurrency: 5, success: 0.999, p95TotalMs: 500, p95FirstTokenMs: 300 } } } });
    expect(s.load.profiles.smoke).toMatchObject({ requests: 40, concurrency: 2, success: 1 });
    expect(s.load.profiles.soak!.requests).toBe(1000);
    expect(s.load.profiles.stress!.concurrency).toBe(30);
  });

  it('names the dotted path of a bad fault parameter and says what was expected', () => {
    const issues = problems({ ...valid(), faults: [{ fault: 'latency', target: 'redis', at: 'fault', params: { latency: 'slow' } }] });
    expect(issues).toEqual([expect.stringMatching(/^faults\.0\.params\.latency: .*number/)]);
  });

  it('rejects an unknown fault preset, listing the known ones', () => {
    const [issue] = problems({ ...valid(), faults: [{ fault: 'meteor', target: 'redis', at: 'fault' }] });
    expect(issue).toMatch(/^faults\.0\.fault: unknown fault "meteor"; known faults are: .*down.*latency/);
  });

  it('rejects a fault at a phase that does not exist', () => {
    const [issue] = problems({ ...valid(), faults: [{ fault: 'down', target: 'redis', at: 'outage' }] });
    expect(issue).toMatch(/^faults\.0\.at: unknown phase "outage"; expected one of baseline, fault, recovery/);
  });

  it('rejects a threshold that is not k6 syntax, with its path', () => {
    const [issue] = problems({ ...valid(), assertions: { thresholds: { http_req_duration: ['95th < 2s'] } } });
    expect(issue).toMatch(/^assertions\.thresholds\.http_req_duration\.0: expected a k6 threshold expression/);
  });

  it('rejects unknown fields, bad durations and missing required fields together', () => {
    const issues = problems({ ...valid(), phases: [{ name: 'baseline', duration: '5 seconds' }], colour: 'red', description: undefined });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\(root\): unknown field "colour"/),
        expect.stringMatching(/^description: /),
        expect.stringMatching(/^phases\.0\.duration: expected a duration like "500ms"/),
      ]),
    );
  });

  it('rejects a fault that starts after the run ends and duplicate phase names', () => {
    const issues = problems({ ...valid(), phases: [{ name: 'a', duration: '1s' }, { name: 'a', duration: '1s' }], faults: [{ fault: 'down', target: 'redis', at: '3s' }] });
    expect(issues).toEqual(expect.arrayContaining([expect.stringMatching(/^phases\.1\.name: duplicate phase "a"/), expect.stringMatching(/^faults\.0\.at: starts at 3000 ms, at or after the end/)]));
  });

  it('names the field of an invariant written as data, and says what an invariant is', () => {
    expect(problems({ ...valid(), invariants: [{ name: 'x', sql: 42 }] })[0]).toMatch(/^invariants\.0\.sql: .*expected string/);
    expect(problems({ ...valid(), invariants: [{ name: 'x', http: 'fetch /a' }] })[0]).toMatch(/^invariants\.0\.http: expected "GET \/path"/);
    expect(problems({ ...valid(), invariants: [{ name: 'x' }] })[0]).toBe('invariants.0: expected { name, check(ctx) }, or { name, sql | redis | http, expect }');
  });

  it('refuses two faults that set the same state of one target at the same time, and allows what stacks or follows', () => {
    const faults = (...list: Array<[string, string, string | number, string | number]>) => list.map(([fault, target, at, duration]) => ({ fault, target, at, duration, params: fault === 'latency' ? { latency: 10 } : {} }));
    const [issue] = problems({ ...valid(), faults: faults(['down', 'redis', 'fault', '10s'], ['down', 'redis', '12s', '2s']) });
    expect(issue).toMatch(/^faults\.1\.at: "down@redis" overlaps|^faults\.1\.name: two faults are named/);
    const named = [{ name: 'a', fault: 'pause', target: 'redis', at: 'fault' }, { name: 'b', fault: 'kill-restart', target: 'redis', at: '6s', duration: '1s' }];
    expect(problems({ ...valid(), faults: named })[0]).toMatch(/^faults\.1\.at: "b" overlaps "a" \(faults\.0\) on redis \(5000–15000 ms and 6000–7000 ms\); both set its process state/);
    expect(resolveScenario({ ...valid(), faults: [{ name: 'a', fault: 'down', target: 'redis', at: 'fault', duration: '2s' }, { name: 'b', fault: 'down', target: 'redis', at: '8s', duration: '2s' }] }).faults).toHaveLength(2);
    expect(resolveScenario({ ...valid(), faults: [{ fault: 'down', target: 'redis', at: 'fault' }, { fault: 'down', target: 'postgres', at: 'fault' }] }).faults).toHaveLength(2);
    expect(resolveScenario({ ...valid(), faults: [{ name: 'a', fault: 'latency', target: 'redis', at: 'fault', params: { latency: 5 } }, { name: 'b', fault: 'latency', target: 'redis', at: 'fault', params: { latency: 7 } }] }).faults).toHaveLength(2);
  });

  it('requires invariants to be functions', () => {
    const [issue] = problems({ ...valid(), invariants: [{ name: 'no double claims', check: 'SELECT 1' }] });
    expect(issue).toMatch(/^invariants\.0\.check: expected a function/);
  });
});

describe('fault targets, checked against the environment the run will have', () => {
  const config = resolveConfig({ services: { redis: true, anvil: true, rpc: true, llm: true } });
  const at = (fault: string, target: string, params: Record<string, unknown> = {}) =>
    targetProblems(resolveScenario({ ...valid(), faults: [{ fault, target, at: 'fault', params }] }).faults, targetInfo(config));

  it('checks an http fault against the faults that mock knows', () => {
    expect(at('http', 'rpc', { type: 'throttel', target: 'infura' })[0]).toMatch(/^faults\.0\.params\.type: unknown rpc fault "throttel"; known: .*throttle/);
    expect(at('http', 'rpc', { type: 'throttle', rate: 7 })[0]).toMatch(/^faults\.0\.params\.rate: /);
    expect(at('http', 'redis', { type: 'throttle' })[0]).toMatch(/^faults\.0\.target: expected a simulated third party/);
    expect(at('http', 'llm', { type: 'slow-first-token', ttft: { kind: 'fixed', ms: 8000 } })).toEqual([]);
    expect(at('http', 'rpc', { type: 'throttle', methods: ['eth_call'] })).toEqual([]); // the shared params are known too
    expect(at('http', 'llm', { type: 'overloaded', methods: ['x'] })[0]).toMatch(/^faults\.0\.params: /);
  });

  it('names a network fault on a proxy the environment does not have, and lists the proxies', () => {
    expect(at('down', 'mongo')[0]).toMatch(/^faults\.0\.target: no Toxiproxy proxy "mongo" in the environment; proxies are redis, anvil, rpc, rpc-infura/);
    expect(at('latency', 'rpc-alchemy', { latency: 100 })).toEqual([]);
  });

  it('names a process fault on a service that is not there, and a chain fault off anvil', () => {
    expect(at('pause', 'postgres')[0]).toMatch(/^faults\.0\.target: no service "postgres" in the environment; it has redis, anvil, rpc, llm/);
    expect(at('mining-stopped', 'redis')[0]).toMatch(/^faults\.0\.target: chain faults act on the anvil service, not "redis"/);
    expect(at('pause', 'redis')).toEqual([]);
  });
});
