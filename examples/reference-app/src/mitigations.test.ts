import { describe, expect, it } from 'vitest';
import { describeMitigations, MitigationsInvalidError, parseMitigations } from './mitigations.ts';

describe('parseMitigations', () => {
  it('enables every mitigation when unset or "all"', () => {
    expect(describeMitigations(parseMitigations())).toBe('all');
    expect(describeMitigations(parseMitigations('all'))).toBe('all');
  });
  it('disables every mitigation with "none"', () => {
    expect(Object.values(parseMitigations('none')).some(Boolean)).toBe(false);
  });
  it('drops the names prefixed with a minus and keeps the rest', () => {
    const m = parseMitigations('-rpc-fallback,-rate-limit');
    expect(m['rpc-fallback']).toBe(false);
    expect(m['rate-limit']).toBe(false);
    expect(m.idempotency).toBe(true);
  });
  it('keeps only the names listed without a prefix', () => {
    expect(describeMitigations(parseMitigations('idempotency'))).toBe('idempotency');
    expect(describeMitigations(parseMitigations('none,+llm-breaker'))).toBe('llm-breaker');
  });
  it('rejects an unknown name and lists the known ones', () => {
    expect(() => parseMitigations('-rpc-fallbak')).toThrow(MitigationsInvalidError);
    expect(() => parseMitigations('-rpc-fallbak')).toThrow(/rpc-fallback, idempotency/);
  });
});
