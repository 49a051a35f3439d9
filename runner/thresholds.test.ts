import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from './errors.ts';
import { DEFAULT_PROFILES } from './profiles.ts';
import { buildThresholds } from './run.ts';
import { resolveScenario } from './scenario.ts';
import { abortedBy, k6Thresholds } from './thresholds.ts';

const scenario = (thresholds: unknown) =>
  resolveScenario({ name: 'x', description: 'x', services: [], load: { script: 'l.js' }, phases: [{ name: 'a', duration: '1s' }], assertions: { thresholds, profileThresholds: false } }, '/s/x/scenario.ts');

describe('threshold objects', () => {
  it('are judged by their expression and reach k6 in object form with abortOnFail and delayAbortEval', () => {
    const s = scenario({
      http_req_duration: ['p(99)<3000', { threshold: 'p(95)<{p95TotalMs}', abortOnFail: true, delayAbortEval: '10s' }],
      http_req_failed: [{ threshold: 'rate<0.1' }],
    });
    const judged = buildThresholds(s, DEFAULT_PROFILES.smoke!);
    expect(judged).toEqual({ http_req_duration: ['p(99)<3000', 'p(95)<8000'], http_req_failed: ['rate<0.1'] });
    const fill = (e: string) => e.replace('{p95TotalMs}', '8000');
    expect(k6Thresholds(judged, s.assertions.thresholds, fill)).toEqual({
      http_req_duration: ['p(99)<3000', { threshold: 'p(95)<8000', abortOnFail: true, delayAbortEval: '10s' }],
      http_req_failed: [{ threshold: 'rate<0.1' }],
    });
  });

  it('name the field of a mistake inside an object or a string', () => {
    const issues = (thresholds: unknown) => {
      try {
        scenario(thresholds);
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioInvalidError);
        return (error as ScenarioInvalidError).issues;
      }
      return [];
    };
    expect(issues({ http_req_duration: [{ threshold: 'p95 < 2s', abortOnFail: true }] })[0]).toMatch(/^assertions\.thresholds\.http_req_duration\.0\.threshold: expected a k6 threshold expression/);
    expect(issues({ http_req_duration: [{ threshold: 'p(95)<2', abortOnFail: 'yes' }] })[0]).toMatch(/^assertions\.thresholds\.http_req_duration\.0\.abortOnFail: .*boolean/);
    expect(issues({ http_req_duration: [{ threshold: 'p(95)<2', delayAbortEval: 'soon' }] })[0]).toMatch(/^assertions\.thresholds\.http_req_duration\.0\.delayAbortEval: expected a k6 duration/);
    expect(issues({ http_req_duration: [{ threshold: 'p(95)<2', abort: true }] })[0]).toMatch(/^assertions\.thresholds\.http_req_duration\.0: unknown field "abort"/);
    expect(issues({ http_req_duration: ['95th < 2s'] })[0]).toMatch(/^assertions\.thresholds\.http_req_duration\.0: expected a k6 threshold expression/);
  });

  it("tell from k6's log which metrics' abortOnFail thresholds stopped the run", () => {
    const line = `time="2026-12-01T20:20:06Z" level=error msg="thresholds on metrics 'http_req_duration, http_req_failed' were crossed; at least one has abortOnFail enabled, stopping test prematurely"`;
    expect(abortedBy(`running\n${line}\n`)).toEqual(['http_req_duration', 'http_req_failed']);
    expect(abortedBy('level=info msg="everything fine"')).toBeUndefined();
  });
});
