import { describe, expect, it } from 'vitest';
import { durationSchema, formatMs, k6Duration, parseDuration } from './durations.ts';

describe('durations (k6 syntax)', () => {
  it('reads single units and k6 compounds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('2h45m')).toBe(9_900_000);
    expect(parseDuration('1h0m0.5s')).toBe(3_600_500);
    expect(parseDuration('1m5ms')).toBe(60_005);
    expect(parseDuration(42)).toBe(42);
  });

  it('refuses what k6 would refuse, with the expected form in the message', () => {
    for (const bad of ['10', '1 m', 'm', '1x', '1m30', '-1s', '']) expect(() => parseDuration(bad), bad).toThrow(/not a duration/);
    const parsed = durationSchema.safeParse('ten seconds');
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/"1m30s" or "1h"/);
    expect(durationSchema.parse('1m30s')).toBe(90_000);
  });

  it('writes ms back as a k6 duration and for people', () => {
    expect(k6Duration(1499.6)).toBe('1500ms');
    expect(k6Duration(-3)).toBe('0ms');
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(12_340)).toBe('12.3 s');
  });
});
