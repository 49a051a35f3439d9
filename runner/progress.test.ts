import { describe, expect, it } from 'vitest';
import type { RecentRequests } from './points.ts';
import { Progress } from './progress.ts';
import { QuantileSketch } from './sketch.ts';

const sink = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, out: { isTTY, write: (s: string) => writes.push(s) } };
};
/** What the points reader hands the progress line: the requests since it last asked. */
const samples = () => {
  let recent: RecentRequests = { durations: new QuantileSketch(10_000), failed: 0 };
  return {
    add(value: number, failed: boolean) {
      recent.durations.add(value);
      if (failed) recent.failed++;
    },
    takeRecent(): RecentRequests {
      const taken = recent;
      recent = { durations: new QuantileSketch(10_000), failed: 0 };
      return taken;
    },
  };
};

describe('Progress', () => {
  it('shows phase, active faults, req/s, errors and p95 of the samples since the last tick', () => {
    const s = samples();
    const progress = new Progress({ write: () => true }, s);
    for (let i = 0; i < 10; i++) s.add(10 * (i + 1), i < 2);
    const line = progress.line({ elapsedMs: 5200, totalMs: 14_000, phase: 'fault', activeFaults: ['down@redis'] });
    expect(line).toMatch(/5\.2s\/14s\s+phase fault\s+faults: down@redis\s+[\d.]+ req\/s\s+errors 2 \(20\.0%\)\s+p95 95 ms/);
    expect(progress.line({ elapsedMs: 6200, totalMs: 14_000, phase: 'fault', activeFaults: [] })).toMatch(/faults: none .* errors 2 \(20\.0%\)\s+p95 -/);
  });

  it('rewrites one line in place on a TTY and ends it cleanly', () => {
    const { writes, out } = sink(true);
    const progress = new Progress(out, samples());
    progress.tick({ elapsedMs: 1000, totalMs: 2000, phase: 'baseline', activeFaults: [] });
    progress.tick({ elapsedMs: 2000, totalMs: 2000, phase: 'baseline', activeFaults: [] });
    progress.log('applied x');
    progress.done();
    expect(writes[0]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(writes[1]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(writes.slice(2)).toEqual(['\r\x1b[2K', 'applied x\n']);
  });

  it('prints plain lines without control characters when not a TTY, at phase changes', () => {
    const { writes, out } = sink(false);
    const progress = new Progress(out, samples(), 60_000);
    progress.tick({ elapsedMs: 1000, totalMs: 3000, phase: 'baseline', activeFaults: [] });
    progress.tick({ elapsedMs: 1500, totalMs: 3000, phase: 'baseline', activeFaults: [] });
    progress.tick({ elapsedMs: 2000, totalMs: 3000, phase: 'fault', activeFaults: ['x'] });
    expect(writes).toHaveLength(2);
    expect(writes.join('')).not.toMatch(/\x1b|\r/);
    expect(writes[1]).toMatch(/phase fault/);
  });
});
