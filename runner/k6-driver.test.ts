import { describe, expect, it } from 'vitest';
import { k6ArgProblems, k6Outputs } from './k6-driver.ts';

describe('k6 passthrough', () => {
  it("reads K6_OUT as k6 does, a comma-separated list, so each output goes beside Faultline's own --out", () => {
    expect(k6Outputs('experimental-prometheus-rw')).toEqual(['experimental-prometheus-rw']);
    expect(k6Outputs('csv=a.csv, json=b.json')).toEqual(['csv=a.csv', 'json=b.json']);
    expect(k6Outputs(undefined)).toEqual([]);
    expect(k6Outputs('')).toEqual([]);
  });

  it('refuses the flags that would take away what Faultline reads, and lets the rest through', () => {
    expect(k6ArgProblems(['--http-debug', '--tag', 'team=web', '--out', 'csv=x.csv', '--summary-mode=compact'])).toEqual([]);
    expect(k6ArgProblems(['--summary-mode', 'disabled'])).toEqual([expect.stringMatching(/--summary-mode disabled cannot be passed through: Faultline needs the summary export/)]);
    expect(k6ArgProblems(['--summary-export=x.json', '--no-summary', '--summary-trend-stats', 'avg', '--summary-mode=disabled'])).toHaveLength(4);
    expect(k6ArgProblems(['--http-debug=full', '--insecure-skip-tls-verify'])).toEqual([]);
  });
});
