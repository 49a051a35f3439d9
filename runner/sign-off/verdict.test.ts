import { describe, expect, it } from 'vitest';
import type { SignOffRow } from './types.ts';
import { overallOf } from './verdict.ts';

const row = (verdict: SignOffRow['verdict'], inconclusive?: SignOffRow['inconclusive']): SignOffRow => ({ scenario: 's', profile: 'p', verdict, reasons: [], ...(inconclusive ? { inconclusive } : {}) });
const baseline = { kind: 'baseline-broken' as const, detail: 'x' };
const shortfall = { kind: 'load-shortfall' as const, detail: 'x' };

describe('overallOf', () => {
  it('exits 0 only when every row passed, 1 on any FAIL, 2 on a row that could not run, then the inconclusive codes, 130 interrupted', () => {
    expect(overallOf([row('PASS'), row('PASS')], false)).toEqual({ verdict: 'PASS', exitCode: 0 });
    expect(overallOf([row('PASS'), row('FAIL'), row('ERROR'), row('INCONCLUSIVE', baseline)], false)).toEqual({ verdict: 'FAIL', exitCode: 1 });
    expect(overallOf([row('PASS'), row('ERROR'), row('INCONCLUSIVE', baseline)], false)).toEqual({ verdict: 'ERROR', exitCode: 2 });
    expect(overallOf([row('INCONCLUSIVE', shortfall), row('INCONCLUSIVE', baseline)], false)).toEqual({ verdict: 'INCONCLUSIVE', exitCode: 3 });
    expect(overallOf([row('PASS'), row('INCONCLUSIVE', shortfall)], false)).toEqual({ verdict: 'INCONCLUSIVE', exitCode: 4 });
    expect(overallOf([row('PASS'), row('NOT RUN')], false)).toEqual({ verdict: 'NOT RUN', exitCode: 2 });
    expect(overallOf([row('PASS'), row('FAIL')], true)).toEqual({ verdict: 'INTERRUPTED', exitCode: 130 });
  });
});
