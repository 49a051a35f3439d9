import { describe, expect, it } from 'vitest';
import { renderHtml } from './html.ts';
import { longRun } from './testing/long-run.ts';
import { pathSteps } from './testing/path-steps.ts';

/** The size bound of issue 15: report.html of a 10-minute run stays under 200 KB. */
const REPORT_HTML_BOUND = 200 * 1024;

describe('report.html of a 10-minute run at 100 rps with probes', () => {
  const result = longRun({ minutes: 10, rps: 100 });
  const html = renderHtml(result);

  it('stays under 200 KB', () => {
    expect(result.phases.reduce((n, p) => n + p.requests, 0)).toBe(60_000);
    expect(Buffer.byteLength(html)).toBeLessThan(REPORT_HTML_BOUND);
  });

  it('keeps every table row: each failure sample, phase, status and fault event', () => {
    const samples = result.diagnostics!.failureSamples;
    expect(samples).toHaveLength(300);
    for (const s of samples) expect(html).toContain(s.requestId!);
    for (const p of result.phases) expect(html).toContain(`<td>${p.name}</td><td>${p.requests}</td>`);
    for (const p of result.diagnostics!.statusBreakdown) expect(html).toContain(String(p.requests));
    expect(html.match(/<h2>Failure samples<\/h2>[\s\S]*?<\/section>/)![0].match(/<tr>/g)).toHaveLength(samples.length + 1);
  });

  it('draws the charts downsampled: at most 600 steps a line, every probe group charted, a one-bucket spike kept', () => {
    const spiked = longRun({ minutes: 60, rps: 5 });
    const at = spiked.series.findIndex((p) => p.tMs === 1_234_000);
    spiked.series[at] = { ...spiked.series[at]!, p95: 99_999 };
    const big = renderHtml(spiked);
    const lines = [...big.matchAll(/<path class="series" stroke="[^"]+" d="([^"]+)"/g)].map((m) => pathSteps(m[1]!).steps);
    expect(spiked.series).toHaveLength(3600);
    for (const steps of lines) expect(steps.length).toBeLessThanOrEqual(600);
    // The p95 line of the main chart: its highest step is the spike, within its 1/300 of the run.
    const p95 = lines[1]!;
    const top = Math.min(...p95.map((s) => s.y));
    const x = (t: number) => 64 + (t / 3_600_000) * 920;
    expect(p95.filter((s) => s.y === top).map((s) => [s.x0 <= x(1_235_000), s.x1 >= x(1_234_000)])).toEqual([[true, true]]);
    for (const group of new Set(result.diagnostics!.probes!.series.map((s) => s.group))) expect(html).toContain(`aria-label="Probe ${group}"`);
  });
});
