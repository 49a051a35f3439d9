import { describe, expect, it } from 'vitest';
import { percentile } from './analysis.ts';
import { QuantileSketch, RELATIVE_ERROR } from './sketch.ts';
import { seededRandom as random } from '../lib/random.ts';

const sketchOf = (values: number[], exactUpTo = 64) => {
  const s = new QuantileSketch(exactUpTo);
  for (const v of values) s.add(v);
  return s;
};

describe('QuantileSketch', () => {
  it('is exact (k6 interpolation) while it holds no more than exactUpTo values', () => {
    const values = [30, 10, 40, 20];
    const s = sketchOf(values);
    expect(s.isExact).toBe(true);
    expect(s.quantile(50)).toBe(25);
    expect(sketchOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).quantile(95)).toBe(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95));
    expect(new QuantileSketch().quantile(95)).toBe(0);
  });

  it('stays within its relative error of the exact percentile once folded into buckets, for skewed latencies', () => {
    const next = random(7);
    // Log-normal-ish latencies from 0.2 ms to several seconds, plus some zeros.
    const values = Array.from({ length: 50_000 }, (_, i) => (i % 997 === 0 ? 0 : Math.exp(next() * 9 - 1.5)));
    const s = sketchOf(values);
    expect(s.isExact).toBe(false);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 25, 50, 90, 95, 99, 99.9]) {
      const exact = percentile(sorted, p);
      expect(Math.abs(s.quantile(p) - exact) / exact, `p${p}`).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-9);
    }
    expect(s.quantile(0)).toBe(sorted[0]);
    expect(s.quantile(100)).toBe(sorted.at(-1));
    expect(s.count).toBe(values.length);
    expect(s.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
  });

  it('gives constant values back exactly (estimates are clamped to min and max)', () => {
    const s = sketchOf(new Array(1000).fill(500));
    expect(s.isExact).toBe(false);
    expect(s.quantile(95)).toBe(500);
  });

  it('merges: the merged sketch answers as one sketch of all the values would', () => {
    const next = random(11);
    const parts = Array.from({ length: 8 }, () => Array.from({ length: 3000 }, () => 5 + next() * next() * 2000));
    const merged = new QuantileSketch();
    for (const part of parts) merged.merge(sketchOf(part));
    const all = parts.flat().sort((a, b) => a - b);
    expect(merged.count).toBe(all.length);
    for (const p of [50, 95, 99]) expect(Math.abs(merged.quantile(p) - percentile(all, p)) / percentile(all, p)).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-9);
    // Small exact parts merge into an exact sketch while the total fits.
    const small = new QuantileSketch(Number.POSITIVE_INFINITY);
    small.merge(sketchOf([3, 1]));
    small.merge(sketchOf([2, 4]));
    expect(small.isExact).toBe(true);
    expect(small.quantile(50)).toBe(2.5);
    // An exact sketch merged into a folded one is counted into its buckets.
    const folded = sketchOf(all.slice(0, 1000));
    folded.merge(sketchOf([1e6]));
    expect(folded.max).toBe(1e6);
    expect(folded.count).toBe(1001);
  });
});
