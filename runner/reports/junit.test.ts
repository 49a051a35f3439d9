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
    expect(findAll(p95!, 'failure')[0]!.attrs.message).toBe('observed 3120 ms');
    expect(failed.map((c) => c.attrs.classname)).toContain('faultline.rpc-throttle.invariant');
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
