import { join } from 'node:path';
import { percentile } from '../analysis.ts';
import { PointsReader, type Samples } from '../points.ts';

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
export function keyNumbers(samples: Samples): KeyNumbers {
  const failed = samples.failed.reduce((sum, s) => sum + s.value, 0);
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const numbers: KeyNumbers = {
    requests: samples.duration.length,
    successRate: samples.failed.length === 0 ? (samples.duration.length ? 1 : 0) : Number((1 - failed / samples.failed.length).toFixed(4)),
    p95TotalMs: Number(percentile(sorted(samples.duration.map((s) => s.value)), 95).toFixed(1)),
  };
  if (samples.firstToken.length > 0) numbers.p95FirstTokenMs = Number(percentile(sorted(samples.firstToken.map((s) => s.value)), 95).toFixed(1));
  return numbers;
}

/** The samples of a finished run, read back from its folder's k6 points (`k6-points.json`). */
export function runSamples(runDir: string, startedAt: string): Samples {
  const reader = new PointsReader(join(runDir, 'k6-points.json'), Date.parse(startedAt));
  reader.poll();
  return reader.samples;
}
