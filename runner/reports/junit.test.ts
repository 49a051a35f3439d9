import { describe, expect, it } from 'vitest';
import { runFixture } from './testing/fixture.ts';
import { renderJunit } from './junit.ts';
import { findAll, parseXml } from './testing/xml-parse.ts';

describe('renderJunit', () => {
  it('writes one testcase per threshold, recovery bound and invariant, with no failures on PASS', () => {
    const result = runFixture({ pass: true });
    const root = parseXml(renderJunit(result));
    const suites = findAll(root, 'testsuite');
    expect(suites).toHaveLength(1);
    const cases = findAll(root, 'testcase');
    expect(cases).toHaveLength(result.thresholds.length + result.recovery.length + result.invariants.length);
    expect(findAll(root, 'failure')).toHaveLength(0);
    expect(suites[0]!.attrs.failures).toBe('0');
    expect(suites[0]!.attrs.tests).toBe(String(cases.length));
  });

  it('counts failures right on FAIL and names the failed assertion with its observed value', () => {
    const result = runFixture({ pass: false });
    const root = parseXml(renderJunit(result));
    const failed = findAll(root, 'testcase').filter((c) => findAll(c, 'failure').length > 0);
    const expected =
      result.thresholds.filter((t) => !t.ok).length + result.recovery.filter((r) => !r.ok).length + result.invariants.filter((i) => !i.ok).length;
    expect(expected).toBeGreaterThan(0);
    expect(failed).toHaveLength(expected);
    expect(findAll(root, 'testsuite')[0]!.attrs.failures).toBe(String(expected));
    expect(root.attrs.failures).toBe(String(expected));
    const p95 = failed.find((c) => c.attrs.name === 'http_req_duration{phase:fault}: p(95)<2000');
    // What was seen against the limit, in the unit of each: ms for a latency, % for a rate.
    expect(findAll(p95!, 'failure')[0]!.attrs.message).toBe('p(95) of http_req_duration was 3120 ms in phase fault; the threshold is p(95) < 2000 ms');
    const errors = failed.find((c) => c.attrs.name === 'http_req_failed{phase:fault}: rate<0.01');
    expect(findAll(errors!, 'failure')[0]!.attrs.message).toBe('rate of http_req_failed was 18.30% in phase fault; the threshold is rate < 1.00%');
    const recovery = failed.find((c) => c.attrs.classname === 'faultline.rpc-throttle.recovery');
    expect(findAll(recovery!, 'failure')[0]!.attrs.message).toBe('after rpc-throttle was reverted at 40.0 s: never recovered before the run ended (bound 10.0 s)');
    expect(failed.map((c) => c.attrs.classname)).toContain('faultline.rpc-throttle.invariant');
  });

  it("gives each testcase the window it judged as its time, and the scenario file as its file", () => {
    const result = runFixture({ pass: false });
    result.context.scenarioFile = `${process.cwd()}/scenarios/rpc-throttle/scenario.ts`;
    const root = parseXml(renderJunit(result));
    const cases = Object.fromEntries(findAll(root, 'testcase').map((c) => [c.attrs.name, c.attrs]));
    expect(cases['http_req_duration{phase:fault}: p(95)<2000']!.time).toBe('20.000'); // the fault phase, 20 s – 40 s
    expect(cases['checks: rate>0.99']!.time).toBe('60.000'); // no phase: the whole run
    expect(cases['recovery after db-latency ≤ 5000 ms']!.time).toBe('0.900'); // the wait until it recovered
    expect(cases['recovery after rpc-throttle ≤ 10.0 s']!.time).toBe('19.991'); // never recovered: the rest of the run
    for (const c of Object.values(cases)) expect(c.file).toBe('scenarios/rpc-throttle/scenario.ts');
    expect(findAll(root, 'testsuite')[0]!.attrs.file).toBe('scenarios/rpc-throttle/scenario.ts');
  });

  it('stays well-formed with markup, quotes and control characters in names and messages', () => {
    const result = runFixture({ pass: false, scenario: 'a<b>&"c\'' });
    result.invariants[2]!.detail = 'got <row id="1"> & \u0007bell ]]> end';
    result.description = '</testsuite><injected/>';
    const root = parseXml(renderJunit(result));
    const failure = findAll(root, 'failure').find((f) => f.attrs.type === 'invariant')!;
    expect(failure.attrs.message).toBe('got <row id="1"> & bell ]]> end');
    expect(findAll(root, 'injected')).toHaveLength(0);
    expect(findAll(root, 'testsuite')[0]!.attrs.name).toBe('a<b>&"c\' (smoke)');
  });
});
