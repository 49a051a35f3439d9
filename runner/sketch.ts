/**
 * A mergeable quantile sketch (DDSketch-style logarithmic buckets) that stays exact while
 * it is small: it keeps the raw values up to `exactUpTo`, then folds them into buckets of
 * relative width γ = (1 + α) / (1 − α), so that any quantile it reports is within
 * RELATIVE_ERROR (α) of the true value at that rank. Count, sum, min and max stay exact.
 *
 * Quantiles are k6's (linear interpolation between the two ranks around p·(n−1)); in bucket
 * mode each rank's value is its bucket's midpoint (clamped to [min, max]), and an
 * interpolation of two values each within α is within α as well.
 */
export const RELATIVE_ERROR = 0.005;
const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
const LN_GAMMA = Math.log(GAMMA);
/** Values at or below this (and negative ones) count as zero in bucket mode. */
const MIN_POSITIVE = 1e-9;

export class QuantileSketch {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** The raw values while exact; undefined once folded into buckets. */
  private exact: number[] | undefined = [];
  /** The exact values sorted, made when a quantile is asked (the raw ones keep their order: valueAt). */
  private sortedCache: number[] | undefined;
  /** Bucket mode: counts[k - offset] for bucket k, covering (γ^(k−1), γ^k]. */
  private counts: number[] = [];
  private offset = 0;
  private zeros = 0;

  constructor(readonly exactUpTo = 64) {}

  get isExact(): boolean {
    return this.exact !== undefined;
  }

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.exact) {
      this.sortedCache = undefined;
      this.exact.push(value);
      if (this.exact.length > this.exactUpTo) this.fold();
      return;
    }
    this.bucket(value, 1);
  }

  /** Adds everything `other` holds (exact stays exact only while both are and the total fits). */
  merge(other: QuantileSketch): void {
    if (other.count === 0) return;
    if (this.exact && other.exact && this.exact.length + other.exact.length <= this.exactUpTo) {
      for (const v of other.exact) this.add(v);
      return;
    }
    if (this.exact) this.fold();
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (other.exact) {
      for (const v of other.exact) this.bucket(v, 1);
      return;
    }
    this.zeros += other.zeros;
    for (let i = 0; i < other.counts.length; i++) if (other.counts[i]) this.bucket(undefined, other.counts[i]!, other.offset + i);
  }

  /** The p-th percentile (0–100), interpolated like k6's; 0 when empty. */
  quantile(p: number): number {
    if (this.count === 0) return 0;
    const rank = (p / 100) * (this.count - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    if (this.exact) {
      const sorted = (this.sortedCache ??= [...this.exact].sort((a, b) => a - b));
      return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
    }
    const a = this.atRank(lo);
    const b = hi === lo ? a : this.atRank(hi);
    return a + (b - a) * (rank - lo);
  }

  /** The i-th value added, while exact. */
  valueAt(i: number): number {
    return this.exact![i]!;
  }

  /** The estimate of the value at 0-based rank `k`: exact at both ends, a bucket's midpoint between. */
  private atRank(k: number): number {
    if (k <= 0) return this.min;
    if (k >= this.count - 1) return this.max;
    let seen = this.zeros;
    if (k < seen) return Math.max(this.min, 0);
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (k < seen) {
        const estimate = (2 * GAMMA ** (this.offset + i)) / (GAMMA + 1);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }

  private fold(): void {
    const values = this.exact!;
    this.exact = undefined;
    this.sortedCache = undefined;
    for (const v of values) this.bucket(v, 1);
  }

  /** Counts `n` values into the bucket of `value` (or bucket `key` when given). */
  private bucket(value: number | undefined, n: number, key?: number): void {
    if (key === undefined) {
      if (value! <= MIN_POSITIVE) {
        this.zeros += n;
        return;
      }
      key = Math.ceil(Math.log(value!) / LN_GAMMA);
    }
    if (this.counts.length === 0) this.offset = key;
    if (key < this.offset) {
      this.counts.unshift(...new Array<number>(this.offset - key).fill(0));
      this.offset = key;
    }
    const i = key - this.offset;
    while (this.counts.length <= i) this.counts.push(0);
    this.counts[i]! += n;
  }
}
