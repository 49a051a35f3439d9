import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES } from './profiles.ts';
import { buildThresholds } from './run.ts';
import { resolveScenario } from './scenario.ts';

const scenario = (assertions: Record<string, unknown>, streaming = false) =>
  resolveScenario({
    name: 'x',
    description: 'x',
    services: [],
    load: { script: 'l.js', streaming },
    phases: [
      { name: 'baseline', duration: '1s' },
      { name: 'fault', duration: '1s' },
    ],
    assertions,
  });

describe('buildThresholds', () => {
  it("adds the profile's success and p95 thresholds to the whole run by default, with placeholders filled from the profile", () => {
    expect(buildThresholds(scenario({ thresholds: { 'http_req_duration{phase:fault}': ['p(95)<{p95TotalMs}'] } }), DEFAULT_PROFILES.baseline!)).toEqual({
      http_req_failed: ['rate<=0.01'],
      http_req_duration: ['p(95)<=6000'],
      'http_req_duration{phase:fault}': ['p(95)<6000'],
    });
  });

  it('scopes the profile thresholds to the named phases, adds first token for streaming scenarios, or leaves them out', () => {
    expect(Object.keys(buildThresholds(scenario({ profileThresholds: ['baseline'] }, true), DEFAULT_PROFILES.smoke!))).toEqual([
      'http_req_failed{phase:baseline}',
      'http_req_duration{phase:baseline}',
      'faultline_first_token{phase:baseline}',
    ]);
    expect(buildThresholds(scenario({ profileThresholds: ['baseline'] }, true), DEFAULT_PROFILES.stress!)['faultline_first_token{phase:baseline}']).toEqual(['p(95)<=3500']);
    expect(buildThresholds(scenario({ profileThresholds: false }), DEFAULT_PROFILES.smoke!)).toEqual({});
  });

  it('merges a scenario threshold on the same metric with the profile one without duplicates', () => {
    expect(buildThresholds(scenario({ thresholds: { http_req_failed: ['rate<={maxErrorRate}', 'rate<0.5'] } }), DEFAULT_PROFILES.stress!).http_req_failed).toEqual(['rate<=0.05', 'rate<0.5']);
  });

  it('refuses an unknown placeholder, naming the known ones', () => {
    expect(() => buildThresholds(scenario({ thresholds: { http_req_duration: ['p(95)<{p99TotalMs}'] } }), DEFAULT_PROFILES.smoke!)).toThrow(/\{p99TotalMs\}; known: \{p95TotalMs\}/);
  });
});
