import { VERDICT_EXIT_CODES } from '../result.ts';
import type { SignOffPack, SignOffRow } from './types.ts';

/** Exit code of a row that could not be run to a verdict (k6 crashed, the target went away): bad input or a broken run, as for one run. */
export const ERROR_EXIT_CODE = 2;
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * The sign-off's verdict and exit code from its rows: 0 only when every row passed; 1 on
 * any FAIL; else 2 when a row could not be run; else the inconclusive code (3 baseline
 * broken, 4 load shortfall); 130 when interrupted. A FAIL outranks the rest: it is the one
 * outcome that says something definite about the app.
 */
export function overallOf(rows: SignOffRow[], interrupted: boolean): { verdict: SignOffPack['verdict']; exitCode: number } {
  if (interrupted) return { verdict: 'INTERRUPTED', exitCode: INTERRUPTED_EXIT_CODE };
  if (rows.some((r) => r.verdict === 'FAIL')) return { verdict: 'FAIL', exitCode: VERDICT_EXIT_CODES.FAIL };
  if (rows.some((r) => r.verdict === 'ERROR')) return { verdict: 'ERROR', exitCode: ERROR_EXIT_CODE };
  for (const kind of ['baseline-broken', 'load-shortfall'] as const) {
    if (rows.some((r) => r.inconclusive?.kind === kind)) return { verdict: 'INCONCLUSIVE', exitCode: VERDICT_EXIT_CODES[kind] };
  }
  if (rows.length > 0 && rows.every((r) => r.verdict === 'PASS')) return { verdict: 'PASS', exitCode: VERDICT_EXIT_CODES.PASS };
  return { verdict: 'NOT RUN', exitCode: ERROR_EXIT_CODE };
}

/** The verdict as a mark and a word, the same in every file of the pack. */
export function verdictMark(verdict: string): string {
  if (verdict === 'PASS') return '✅ PASS';
  if (verdict === 'FAIL') return '❌ **FAIL**';
  if (verdict === 'INCONCLUSIVE') return '⚠️ INCONCLUSIVE';
  if (verdict === 'ERROR') return '💥 ERROR';
  if (verdict === 'INTERRUPTED') return '⏹ INTERRUPTED';
  return '— not run';
}
