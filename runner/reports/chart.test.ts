import { describe, expect, it } from 'vitest';
import { niceCeil, renderChart } from './chart.ts';
import { runFixture } from './testing/fixture.ts';
import { pathSteps } from './testing/path-steps.ts';

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
    const first = pathSteps(/<path class="series" stroke="[^"]+" d="([^"]+)"/.exec(svg)![1]!).steps[0]!;
    expect(first.x0).toBeCloseTo(64, 0);
    expect(first.x1).toBeCloseTo(64 + (1000 / 60_000) * 920, 0);
  });

  it('never draws a bucket of the fault window before the window starts', () => {
    const result = runFixture();
    const fault = result.timeline.find((e) => e.action === 'apply' && e.ok)!;
    const x = (t: number) => 64 + (t / 60_000) * 920;
    const rise = result.series.findIndex((p) => p.tMs >= Math.ceil(fault.actualMs / 1000) * 1000);
    result.series[rise] = { ...result.series[rise]!, p95: 99_999 };
    const svg = renderChart(result);
    // The p95 line (the latency panel's second path): each step one h at its height; the rise is the highest step.
    const { steps } = pathSteps([...svg.matchAll(/<path class="series" stroke="[^"]+" d="([^"]+)"/g)][1]![1]!);
    const top = Math.min(...steps.map((st) => st.y));
    const high = steps.filter((st) => st.y === top);
    expect(high).toHaveLength(1);
    expect(high[0]!.x0).toBeGreaterThanOrEqual(x(fault.actualMs) - 1);
    // It rises straight up at the bucket's start (no slope reaching back before the window): the step before ends where it starts.
    const riseAt = steps.indexOf(high[0]!);
    expect(steps[riseAt - 1]!.x1).toBeCloseTo(high[0]!.x0, 6);
  });

  it('draws the latency and error-rate thresholds as lines over their phase', () => {
    const svg = renderChart(runFixture());
    expect(svg).toMatch(/<g class="threshold (ok|bad)"><title>threshold p\(95\)&lt;2000<\/title>/);
  });
});
