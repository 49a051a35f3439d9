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

  it('draws each bucket at its middle: the first 1 s bucket at 0.5 s of 60 s', () => {
    const svg = renderChart(runFixture());
    const first = /<path class="series" stroke="[^"]+" d="M([\d.]+),/.exec(svg)!;
    expect(Number(first[1])).toBeCloseTo(64 + (500 / 60_000) * 920, 0);
  });
});
