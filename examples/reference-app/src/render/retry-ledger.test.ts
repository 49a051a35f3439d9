import { describe, expect, it } from 'vitest';
import { RetryAfterLedger } from './retry-ledger.ts';

describe('RetryAfterLedger', () => {
  it('calls a request early until the Retry-After it was given has passed (less the tolerance)', () => {
    let now = 1_000;
    const ledger = new RetryAfterLedger(100, () => now);
    expect(ledger.early('u1')).toBe(false);
    ledger.told('u1', 2);
    now += 500;
    expect(ledger.early('u1')).toBe(true);
    expect(ledger.early('u2')).toBe(false);
    now += 1_450;
    expect(ledger.early('u1')).toBe(false);
    // Forgotten once honoured.
    now = 0;
    expect(ledger.early('u1')).toBe(false);
  });
});
