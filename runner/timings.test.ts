import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6LeadNote, k6ReadyAt, RunTimings } from './timings.ts';

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

describe('k6ReadyAt / k6LeadNote', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-timings-'));
  const file = join(dir, 'k6-points.json');
  const points = (first: string) =>
    writeFileSync(file, `{"type":"Metric","data":{"name":"vus","type":"gauge"},"metric":"vus"}\n{"metric":"vus","type":"Point","data":{"time":"${first}","value":0,"tags":{}}}\n`);

  it("reads the first point's time (k6's nanoseconds) and says how much of the lead k6 took, or that it was late", () => {
    points('2026-12-02T01:26:09.962342882Z');
    const ready = Date.parse('2026-12-02T01:26:09.962Z');
    expect(k6ReadyAt(file)).toBe(ready);
    expect(k6LeadNote(file, ready - 1100, ready + 400)).toBe('k6 ready after 1100 ms');
    expect(k6LeadNote(file, ready - 1800, ready - 300)).toBe('k6 ready 300 ms after the origin: raise load.lead');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is undefined without a file or a point', () => {
    expect(k6ReadyAt(join(dir, 'missing.json'))).toBeUndefined();
    expect(k6LeadNote(join(dir, 'missing.json'), 0, 1)).toBeUndefined();
  });
});
