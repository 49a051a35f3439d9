import { describe, expect, it } from 'vitest';
import { percentile, phaseMetrics, phaseOf, recoveryTimes, thresholdResults, timeSeries } from './analysis.ts';
import { RequestStats } from './request-stats.ts';
import type { TimelineEvent } from './result.ts';

const phases = [
  { name: 'baseline', startMs: 0, endMs: 4000 },
  { name: 'fault', startMs: 4000, endMs: 8000 },
  { name: 'recovery', startMs: 8000, endMs: 14_000 },
];

/** 10 requests per second; latency and failure decided per request start time. */
function traffic(latencyAt: (t: number) => number, failsAt: (t: number) => boolean, untilMs = 14_000): RequestStats {
  const stats = new RequestStats();
  for (let t = 0; t < untilMs; t += 100) {
    const phase = phaseOf(phases, t);
    stats.add('duration', { tMs: t, value: latencyAt(t), phase });
    stats.add('failed', { tMs: t, value: failsAt(t) ? 1 : 0, phase }, t + latencyAt(t));
  }
  return stats;
}

const revertAt = (ms: number): TimelineEvent[] => [
  { fault: 'down@redis', layer: 'network', target: 'redis', action: 'apply', scheduledMs: 4000, actualMs: 4003, ok: true },
  { fault: 'down@redis', layer: 'network', target: 'redis', action: 'revert', scheduledMs: 8000, actualMs: ms, ok: true },
];
const fault = [{ name: 'down@redis', fault: 'down', target: 'redis', atMs: 4000, durationMs: 4000, params: {} }];
const options = { baselinePhase: 'baseline', errorRateMargin: 0.05, p95Factor: 1.5 };

describe('percentile', () => {
  it('interpolates linearly between ranks, like k6', () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(25);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBeCloseTo(9.55);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('phaseOf', () => {
  it('assigns a time to the phase it falls in; past the end counts as the last phase', () => {
    expect(phaseOf(phases, 0)).toBe('baseline');
    expect(phaseOf(phases, 3999)).toBe('baseline');
    expect(phaseOf(phases, 4000)).toBe('fault');
    expect(phaseOf(phases, 20_000)).toBe('recovery');
  });
});

describe('phaseMetrics and timeSeries', () => {
  it('computes requests, error rate, req/s and percentiles per phase from the phase tags', () => {
    const samples = traffic((t) => (t >= 4000 && t < 8000 ? 500 : 20), (t) => t >= 4000 && t < 6000);
    const [baseline, faulted] = phaseMetrics(samples, phases);
    expect(baseline).toMatchObject({ name: 'baseline', requests: 40, errorRate: 0, rps: 10, latency: { p50: 20, p95: 20 } });
    expect(faulted).toMatchObject({ name: 'fault', requests: 40, errorRate: 0.5, latency: { p95: 500 } });
    const series = timeSeries(samples, phases, 14_000);
    expect(series).toHaveLength(14);
    expect(series[4]).toMatchObject({ tMs: 4000, phase: 'fault', rps: 10, errorRate: 1, p95: 500 });
    expect(series[7]).toMatchObject({ phase: 'fault', errorRate: 0 });
  });
});

describe('recoveryTimes', () => {
  it('measures from the actual revert until error rate and p95 are back within the baseline bounds', () => {
    // Errors stop 1.5 s after the revert at 8000.
    const samples = traffic((t) => (t < 9500 && t >= 4000 ? 900 : 20), (t) => t >= 4000 && t < 9500);
    const [r] = recoveryTimes(samples, revertAt(8000), fault, 14_000, { ...options, boundMs: 2000 });
    expect(r).toMatchObject({ fault: 'down@redis', revertedAtMs: 8000, recoveredAfterMs: 1500, ok: true });
    const [tight] = recoveryTimes(samples, revertAt(8000), fault, 14_000, { ...options, boundMs: 1000 });
    expect(tight!.ok).toBe(false);
  });

  it('counts slow-but-successful requests as not recovered (p95 above 1.5× baseline)', () => {
    const samples = traffic((t) => (t >= 4000 && t < 11_000 ? 300 : 20), () => false);
    const [r] = recoveryTimes(samples, revertAt(8010), fault, 14_000, options);
    // Recovered at the first 250 ms step whose window starts at or after 11 000 (latency back to normal).
    expect(r!.recoveredAfterMs! + 8010).toBeGreaterThanOrEqual(11_000);
    expect(r!.recoveredAfterMs! + 8010).toBeLessThan(11_250);
  });

  it('reports never-recovered when errors continue to the end of the run', () => {
    const samples = traffic(() => 20, (t) => t >= 4000);
    const [r] = recoveryTimes(samples, revertAt(8000), fault, 14_000, { ...options, boundMs: 5000 });
    expect(r).toMatchObject({ recoveredAfterMs: undefined, ok: false });
  });

  it('measures overlapping faults once, after the last of them is reverted', () => {
    const samples = traffic(() => 20, (t) => t >= 4000 && t < 10_000);
    const events: TimelineEvent[] = [
      { fault: 'a', layer: 'network', target: 'redis', action: 'apply', scheduledMs: 4000, actualMs: 4000, ok: true },
      { fault: 'b', layer: 'network', target: 'redis', action: 'apply', scheduledMs: 5000, actualMs: 5000, ok: true },
      { fault: 'a', layer: 'network', target: 'redis', action: 'revert', scheduledMs: 6000, actualMs: 6000, ok: true },
      { fault: 'b', layer: 'network', target: 'redis', action: 'revert', scheduledMs: 9000, actualMs: 9000, ok: true },
    ];
    const both = [
      { name: 'a', fault: 'down', target: 'redis', atMs: 4000, durationMs: 2000, params: {} },
      { name: 'b', fault: 'down', target: 'redis', atMs: 5000, durationMs: 4000, params: {} },
    ];
    expect(recoveryTimes(samples, events, both, 14_000, options)).toEqual([{ fault: 'b', revertedAtMs: 9000, recoveredAfterMs: 1000, boundMs: undefined, ok: true }]);
    // Back to back: a reverted at the moment b is applied.
    const chained: TimelineEvent[] = [
      { ...events[0]! },
      { ...events[2]!, actualMs: 5002 },
      { ...events[1]!, actualMs: 5004 },
      { ...events[3]! },
    ];
    expect(recoveryTimes(samples, chained, both, 14_000, options).map((r) => r.fault)).toEqual(['b']);
  });

  it('ignores faults that are only reverted at the end of the run', () => {
    const samples = traffic(() => 20, () => false);
    expect(recoveryTimes(samples, [], [{ ...fault[0]!, durationMs: undefined }], 14_000, options)).toEqual([]);
  });
});

describe('thresholdResults', () => {
  it("reads k6's summary export, where a threshold's boolean means failed, with the observed value", () => {
    const summary = {
      metrics: {
        'http_req_duration{phase:fault}': { 'p(95)': 2400.5, thresholds: { 'p(95)<2000': true } },
        http_req_failed: { value: 0.004, passes: 1, fails: 249, thresholds: { 'rate<0.01': false } },
      },
    };
    expect(thresholdResults(summary, { 'http_req_duration{phase:fault}': ['p(95)<2000'], http_req_failed: ['rate<0.01'], 'http_req_duration{phase:nope}': ['p(95)<1'] })).toEqual([
      { metric: 'http_req_duration{phase:fault}', expression: 'p(95)<2000', observed: 2400.5, ok: false },
      { metric: 'http_req_failed', expression: 'rate<0.01', observed: 0.004, ok: true },
      { metric: 'http_req_duration{phase:nope}', expression: 'p(95)<1', observed: undefined, ok: false },
    ]);
  });
});
