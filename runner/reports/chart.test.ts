import { describe, expect, it } from 'vitest';
import { niceCeil, renderChart } from './chart.ts';
import { runFixture } from './testing/fixture.ts';

describe('chart axes', () => {
  it.each([
    [1, 1],
    [0.24, 0.25],
    [0.183, 0.2],
    [3360, 5000],
    [21, 25],
    [0, 1],
  ])('rounds an axis maximum of %d up to %d', (value, expected) => {
    expect(niceCeil(value)).toBeCloseTo(expected, 9);
  });

  it('tops the error-rate axis at 100% when every request failed', () => {
    const result = runFixture();
    result.series[30] = { ...result.series[30]!, errorRate: 1 };
    const svg = renderChart(result);
    expect(svg).toContain('>100%</text>');
    expect(svg).not.toContain('>200%</text>');
  });

  it('draws each bucket as a step over it, from its start: the first 1 s bucket from 0 s to 1 s of 60 s', () => {
    const svg = renderChart(runFixture());
    const first = /<path class="series" stroke="[^"]+" d="M([\d.]+),([\d.]+) L([\d.]+),([\d.]+)/.exec(svg)!;
    expect(Number(first[1])).toBeCloseTo(64, 0);
    expect(Number(first[3])).toBeCloseTo(64 + (1000 / 60_000) * 920, 0);
    expect(first[2]).toBe(first[4]);
  });

  it('never draws a bucket of the fault window before the window starts', () => {
    const result = runFixture();
    const fault = result.timeline.find((e) => e.action === 'apply' && e.ok)!;
    const x = (t: number) => 64 + (t / 60_000) * 920;
    const rise = result.series.findIndex((p) => p.tMs >= Math.ceil(fault.actualMs / 1000) * 1000);
    result.series[rise] = { ...result.series[rise]!, p95: 99_999 };
    const svg = renderChart(result);
    // The p95 line (the latency panel's second path): each step is "x0,y L x1,y"; the rise is the highest step.
    const p95 = [...svg.matchAll(/<path class="series" stroke="[^"]+" d="([^"]+)"/g)][1]![1]!;
    const steps = [...p95.matchAll(/[ML]([\d.]+),([\d.]+) L([\d.]+),\2/g)].map((m) => ({ from: Number(m[1]), y: Number(m[2]) }));
    const top = Math.min(...steps.map((st) => st.y));
    const high = steps.filter((st) => st.y === top);
    expect(high).toHaveLength(1);
    expect(high[0]!.from).toBeGreaterThanOrEqual(x(fault.actualMs) - 1);
    // It rises straight up at the bucket's start (no slope reaching back before the window).
    const vertices = [...p95.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    const riseAt = vertices.findIndex((v) => v.y === top);
    expect(vertices[riseAt - 1]!.x).toBe(vertices[riseAt]!.x);
  });

  it('draws the latency and error-rate thresholds as lines over their phase', () => {
    const svg = renderChart(runFixture());
    expect(svg).toMatch(/<g class="threshold (ok|bad)"><title>threshold p\(95\)&lt;2000<\/title>/);
  });
});
