import { describe, expect, it } from 'vitest';
import { RunTimings } from './timings.ts';

describe('RunTimings', () => {
  it('gives each step from the end of the previous one, a step may end in the future (the load origin), and the time beyond the phases', () => {
    const t = new RunTimings();
    const start = Date.now();
    t.mark('prepare', start + 100);
    t.mark('k6 start', start + 1100);
    t.mark('load', start + 15_100);
    t.mark('reports', start + 15_600);
    const line = t.line(14_000);
    expect(line).toMatch(/^timings: prepare \d+ ms · k6 start 1000 ms · load 14\.0 s · reports 500 ms · total 15\.\d s, 1[56]\d\d ms beyond the 14\.0 s of phases$/);
  });

  it('counts from a given start (the process start), so what came before the first mark is in the total', () => {
    const start = Date.now();
    const t = new RunTimings(start - 2000);
    t.mark('start-up', start);
    t.mark('load', start + 14_000);
    expect(t.line(14_000)).toBe('timings: start-up 2000 ms · load 14.0 s · total 16.0 s, 2000 ms beyond the 14.0 s of phases');
  });

  it('shows a note beside its step', () => {
    const start = Date.now();
    const t = new RunTimings(start);
    t.mark('k6 start', start + 1500);
    t.note('k6 start', 'k6 ready after 400 ms');
    expect(t.line(0)).toMatch(/^timings: k6 start 1500 ms \(k6 ready after 400 ms\) · total /);
  });
});
