import { join } from 'node:path';
import { PointsReader } from '../points.ts';
import type { RequestStats } from '../request-stats.ts';

/** The numbers a sign-off compares across profiles: how much load, how much of it succeeded, how fast. */
export interface KeyNumbers {
  requests: number;
  /** Share of requests that did not fail (k6's http_req_failed), 0..1. */
  successRate: number;
  p95TotalMs: number;
  /** Only when the requests stream (faultline_first_token was recorded). */
  p95FirstTokenMs?: number;
}

/** Over the whole load (every phase), from the per-request samples. */
export function keyNumbers(stats: RequestStats): KeyNumbers {
  const durations = stats.select('duration').values;
  const failed = stats.select('failed').values;
  const tokens = stats.select('firstToken').values;
  const numbers: KeyNumbers = {
    requests: durations.count,
    successRate: failed.count === 0 ? (durations.count ? 1 : 0) : Number((1 - failed.sum / failed.count).toFixed(4)),
    p95TotalMs: Number(durations.quantile(95).toFixed(1)),
  };
  if (tokens.count > 0) numbers.p95FirstTokenMs = Number(tokens.quantile(95).toFixed(1));
  return numbers;
}

/** The samples of a finished run, read back from its folder's k6 points (`k6-points.json`). */
export function runSamples(runDir: string, startedAt: string): RequestStats {
  const reader = new PointsReader(join(runDir, 'k6-points.json'), Date.parse(startedAt));
  reader.poll();
  return reader.stats;
}
