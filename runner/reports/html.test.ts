import { describe, expect, it } from 'vitest';
import { runFixture } from './testing/fixture.ts';
import { renderHtml } from './html.ts';
import { pathSteps } from './testing/path-steps.ts';
import { faultWindows } from './windows.ts';

const count = (text: string, needle: RegExp) => text.match(needle)?.length ?? 0;

describe('renderHtml', () => {
  it('references nothing outside the file: no src/href/url() to any address, no scripts, no font loads', () => {
    const html = renderHtml(runFixture({ pass: false }));
    expect(html).not.toMatch(/\b(src|href|xlink:href|action)\s*=/i);
    expect(html).not.toMatch(/url\s*\(/i);
    expect(html).not.toMatch(/@import|@font-face|<script|<link|<iframe|<img/i);
    expect(html).toMatch(/^<!doctype html>/);
  });

  it('escapes a hostile scenario name, description, invariant detail and fault error', () => {
    const result = runFixture({ pass: false, scenario: '<img src=x onerror=alert(1)>' });
    result.description = '</p><script>alert("desc")</script>';
    result.invariants[0]!.detail = '<b onclick="x()">bold</b> & more';
    result.timeline[0] = { ...result.timeline[0]!, ok: false, error: '"><svg onload=alert(2)>' };
    result.phases[0]!.name = '<script>phase</script>';
    const html = renderHtml(result);
    expect(html).not.toMatch(/<script|<img|<b |<svg onload/i);
    expect(html).toContain('&lt;/p&gt;&lt;script&gt;alert(&quot;desc&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt; &amp; more');
    expect(html).toContain('error: &quot;&gt;&lt;svg onload=alert(2)&gt;');
  });

  it('shades one rect per fault window, from actual apply to actual revert, and labels every phase', () => {
    const result = runFixture();
    const html = renderHtml(result);
    expect(faultWindows(result)).toHaveLength(2);
    expect(count(html, /class="fault-window"/g)).toBe(2);
    expect(count(html, /class="phase-label"/g)).toBe(result.phases.length);
    expect(html).toMatch(/>baseline<\/text>[\s\S]*>fault<\/text>[\s\S]*>recovery<\/text>/);
    // rpc-throttle applied at 20.012 s and reverted at 40.009 s of 60 s, over a 920-unit plot starting at x=64.
    const rect = /<rect class="fault-window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(html)!;
    expect(Number(rect[1])).toBeCloseTo(64 + (20_012 / 60_000) * 920, 0);
    expect(Number(rect[2])).toBeCloseTo(((40_009 - 20_012) / 60_000) * 920, 0);
  });

  it('draws p50, p95, error rate and req/s as step lines, one step per series bucket', () => {
    const result = runFixture();
    const html = renderHtml(result);
    const lines = [...html.matchAll(/<path class="series" stroke="[^"]+" d="([^"]+)"/g)].map((m) => pathSteps(m[1]!).steps.length);
    expect(lines).toEqual([60, 60, 60, 60]);
  });

  it('leaves a gap in latency and error rate where a bucket had no requests, but not in req/s', () => {
    const result = runFixture();
    for (const t of [30, 31]) result.series[t] = { ...result.series[t]!, rps: 0, p50: 0, p95: 0, errorRate: 0 };
    const html = renderHtml(result);
    const strokes = [...html.matchAll(/<path class="series" stroke="[^"]+" d="([^"]+)"/g)].map((m) => m[1]!.match(/M/g)!.length);
    expect(strokes).toEqual([2, 2, 2, 1]);
  });

  it('shades an unreverted fault to the end of the run and leaves a failed apply unshaded', () => {
    const result = runFixture();
    result.timeline = result.timeline.filter((e) => !(e.fault === 'rpc-throttle' && e.action === 'revert'));
    result.timeline.find((e) => e.fault === 'db-latency' && e.action === 'apply')!.ok = false;
    const windows = faultWindows(result);
    expect(windows).toEqual([expect.objectContaining({ fault: 'rpc-throttle', startMs: 20_012, endMs: 60_000, unreverted: true })]);
    expect(count(renderHtml(result), /class="fault-window"/g)).toBe(1);
  });

  it('contains the same tables as the markdown report', () => {
    const html = renderHtml(runFixture({ pass: false }));
    for (const title of ['Phases', 'Thresholds', 'Recovery', 'Invariants', 'Fault timeline', 'Replay', 'Context']) {
      expect(html).toContain(`<h2>${title}</h2>`);
    }
    expect(html).toContain('<td>http_req_duration{phase:fault}</td><td>p(95)&lt;2000</td><td>3120 ms</td><td class="status bad">✗ FAIL</td>');
    expect(html).toContain('npx faultline chaos scenarios/rpc-throttle/scenario.ts --profile smoke --seed 424242');
  });
});
