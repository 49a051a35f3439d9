import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from './errors.ts';
import { declaredMetrics } from './load-checks.ts';
import { describeShape, plannedIterations, shapeLoad } from './load-shape.ts';
import { DEFAULT_PROFILES } from './profiles.ts';
import { resolveScenario } from './scenario.ts';

const phases = [
  { name: 'baseline', duration: '10s' },
  { name: 'spike', duration: '20s' },
  { name: 'recovery', duration: '10s' },
];
const scenario = (load: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  resolveScenario({ name: 'x', description: 'x', services: [], load: { script: 'l.js', ...load }, phases, ...extra }, '/s/x/scenario.ts');
const baseline = DEFAULT_PROFILES.baseline!;
const shape = (groups: Record<string, unknown>, profile = baseline, exports?: string[]) => {
  const s = scenario({ groups });
  return shapeLoad(s.load, s.phases, profile, exports);
};
const problems = (load: Record<string, unknown>) => {
  try {
    scenario(load);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioInvalidError);
    expect((error as Error).message).toContain('/s/x/scenario.ts');
    return (error as ScenarioInvalidError).issues;
  }
  throw new Error('expected the scenario to be rejected');
};

describe('load groups → k6 scenarios', () => {
  it('keeps the single-group form: a constant arrival rate from the profile over the phases, or shared iterations', () => {
    const s = scenario({ profiles: { smoke: { rps: 6, concurrency: 6 } } });
    const [group] = shapeLoad(s.load, s.phases, s.load.profiles.smoke!).groups;
    expect(group).toMatchObject({
      name: 'faultline',
      k6: { executor: 'constant-arrival-rate', rate: 360, timeUnit: '1m', duration: '40000ms', preAllocatedVUs: 6, maxVUs: 6, gracefulStop: '30000ms' },
    });
    expect(plannedIterations(group!.rate!, 0, 10_000)).toBeCloseTo(60);
    const it = scenario({ executor: 'iterations' });
    expect(shapeLoad(it.load, it.phases, it.load.profiles.smoke!).groups[0]!.k6).toEqual({ executor: 'shared-iterations', vus: 2, iterations: 20, maxDuration: '80000ms' });
  });

  it('makes one k6 scenario per group with its own function, tags and env, scaled by the profile', () => {
    const groups = { readers: { executor: 'constant-arrival-rate', rate: 50, tags: { path: 'read' } }, writers: { executor: 'constant-arrival-rate', rate: 5, exec: 'write', vus: 4 } };
    const smoke = shape(groups, DEFAULT_PROFILES.smoke!, ['readers', 'write']).groups;
    expect(smoke.map((g) => [g.name, g.k6.exec, g.k6.rate, g.k6.preAllocatedVUs, g.k6.maxVUs])).toEqual([
      ['readers', 'readers', 600, 3, 20], // 50/s × 0.2 = 10/s, VUs for 250 ms iterations
      ['writers', 'write', 60, 1, 2], // 4 VUs × 0.2 → 1 pre-allocated
    ]);
    expect(smoke[0]!.k6).toMatchObject({ tags: { path: 'read' }, duration: '40000ms', startTime: '0ms' });
    expect(shape(groups, DEFAULT_PROFILES.stress!, ['readers', 'write']).groups[0]!.k6.rate).toBe(9000);
    // A group without its own function runs the default one.
    expect(shape(groups, baseline, ['default', 'write']).groups[0]!.k6.exec).toBe('default');
  });

  it('turns phase rates into k6 stages on the shared time origin, a step being a zero-length stage', () => {
    const { groups } = shape({ voters: { executor: 'constant-arrival-rate', rate: 10, phases: { spike: { rate: 200 }, recovery: { rate: 10 } } } });
    const voters = groups[0]!;
    expect(voters.executor).toBe('ramping-arrival-rate');
    expect(voters.k6).toMatchObject({
      startRate: 600,
      timeUnit: '1m',
      stages: [
        { duration: '10000ms', target: 600 },
        { duration: '0ms', target: 12_000 },
        { duration: '20000ms', target: 12_000 },
        { duration: '0ms', target: 600 },
        { duration: '10000ms', target: 600 },
      ],
    });
    expect(plannedIterations(voters.rate!, 0, 10_000)).toBeCloseTo(100);
    expect(plannedIterations(voters.rate!, 10_000, 30_000)).toBeCloseTo(4000);
    expect(plannedIterations(voters.rate!, 30_000, 40_000)).toBeCloseTo(100);
    expect(describeShape(groups)).toBe('voters: ramping arrival rate 10 → 200 → 10/s, up to 400 VUs');
  });

  it('ramps over a whole phase or for a given time, and keeps a value through phases that set none', () => {
    const { groups } = shape({ users: { executor: 'ramping-vus', vus: 2, phases: { spike: { vus: 50, ramp: true }, recovery: { vus: 0, ramp: '4s' } } } });
    expect(groups[0]!.k6).toMatchObject({
      executor: 'ramping-vus',
      startVUs: 2,
      stages: [
        { duration: '10000ms', target: 2 },
        { duration: '20000ms', target: 50 },
        { duration: '4000ms', target: 0 },
        { duration: '6000ms', target: 0 },
      ],
    });
    expect(groups[0]!.vus).toBe(50);
  });

  it('starts a group at a phase, its stages counted from there', () => {
    const { groups } = shape({ late: { executor: 'constant-arrival-rate', rate: 5, startTime: 'spike', phases: { recovery: { rate: 1 } } } });
    expect(groups[0]!.k6).toMatchObject({ startTime: '10000ms', startRate: 300, stages: [{ duration: '20000ms', target: 300 }, { duration: '0ms', target: 60 }, { duration: '10000ms', target: 60 }] });
    expect(plannedIterations(groups[0]!.rate!, 0, 10_000)).toBe(0);
  });

  it("passes k6's own stages through, scaled, and a profile's per-group numbers win over its factor", () => {
    const groups = { listeners: { executor: 'per-vu-iterations', vus: 10, iterations: 1, connections: 1000 }, ramp: { executor: 'ramping-arrival-rate', rate: 0, stages: [{ duration: '30s', target: 50 }, { duration: '10s', target: 0 }] } };
    const smoke = { ...DEFAULT_PROFILES.smoke!, groups: { listeners: { connections: 40, vus: 2 } } };
    const shaped = shape(groups, smoke).groups;
    expect(shaped[0]).toMatchObject({ connections: 40, vus: 2, k6: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } });
    expect(shaped[1]!.k6.stages).toEqual([{ duration: '30000ms', target: 600 }, { duration: '10000ms', target: 0 }]);
  });

  it('refuses, naming the field: an unknown executor, a phase rate on an iterations executor, stages that end before the phases', () => {
    expect(problems({ groups: { a: { executor: 'constant-rate', rate: 1 } } })[0]).toMatch(/^load\.groups\.a\.executor: .*"constant-arrival-rate"/);
    expect(problems({ groups: { a: { executor: 'shared-iterations', iterations: 10, phases: { spike: { rate: 200 } } } } })).toEqual([
      'load.groups.a.phases.spike: shared-iterations runs a fixed number of iterations, so a phase cannot set its rate; use an arrival-rate or VU executor',
    ]);
    expect(problems({ groups: { a: { executor: 'ramping-vus', stages: [{ duration: '30s', target: 5 }] } } })).toEqual([
      'load.groups.a.stages: the stages end at 30000 ms, before the phases do (40000 ms); extend them to the end of the run',
    ]);
    expect(problems({ groups: { a: { executor: 'constant-arrival-rate', rate: 1, phases: { spike: { vus: 3 }, outage: { rate: 1 } } } } })).toEqual([
      'load.groups.a.phases.spike.vus: constant-arrival-rate is shaped by its arrival rate: set `rate` (iterations per second) for the phase',
      'load.groups.a.phases.outage: unknown phase "outage"; phases are baseline, spike, recovery',
    ]);
    expect(problems({ groups: { a: { executor: 'constant-arrival-rate' }, b: { executor: 'constant-vus', vus: 1, phases: { spike: { rate: 2 } } } } })).toEqual([
      'load.groups.a.rate: constant-arrival-rate needs a rate (iterations per second)',
      'load.groups.b.phases.spike.rate: constant-vus is shaped by its VUs: set `vus` for the phase, or use an arrival-rate executor',
    ]);
    expect(problems({ groups: { a: { executor: 'constant-vus', vus: 1 } }, profiles: { smoke: { groups: { b: { vus: 2 } } } } })[0]).toMatch(/^load\.profiles: a profile sets numbers for group "b"/);
  });

  it('refuses a group whose function the script does not export', () => {
    const s = scenario({ groups: { readers: { executor: 'constant-vus', vus: 1 }, writers: { executor: 'constant-vus', vus: 1, exec: 'post' } } });
    expect(shapeLoad(s.load, s.phases, baseline, ['helper']).problems).toEqual([
      'load.groups.readers: the script exports neither a function "readers" nor a default function (it exports helper)',
      'load.groups.writers.exec: the script exports no function "post" (it exports helper)',
    ]);
  });
});

describe('declaredMetrics', () => {
  it('finds the metrics a bundled script declares, also renamed by esbuild, and gives up on computed names', () => {
    const code = `import { Trend as Trend2, Rate } from "k6/metrics";\nimport * as m from 'k6/metrics';\nconst a = new Trend2("faultline_ws_lag", true);\nconst b = new Rate('claims_paid');\nconst c = new m.Counter(\`posted\`);`;
    expect(declaredMetrics(code)).toEqual(['claims_paid', 'faultline_ws_lag', 'posted']);
    expect(declaredMetrics(`${code}\nconst d = new Trend2(prefix + '_x');`)).toBeUndefined();
  });
});
