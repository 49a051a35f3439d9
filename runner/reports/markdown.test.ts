import { describe, expect, it } from 'vitest';
import { runFixture } from './testing/fixture.ts';
import { renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('starts with PASS and says how many assertions held', () => {
    const md = renderMarkdown(runFixture({ pass: true }));
    expect(md.split('\n')[0]).toBe('# PASS — rpc-throttle (smoke profile)');
    expect(md).toMatch(/All 10 assertions held: 5 thresholds, 2 recovery bounds, 3 invariants\./);
  });

  it('starts with FAIL followed by the one-line reasons, before any table', () => {
    const result = runFixture({ pass: false });
    const md = renderMarkdown(result);
    expect(md.split('\n')[0]).toBe('# FAIL — rpc-throttle (smoke profile)');
    const firstTable = md.indexOf('## Phases');
    for (const reason of result.reasons) {
      const at = md.indexOf(`- ${reason}`);
      expect(at, reason).toBeGreaterThan(0);
      expect(at).toBeLessThan(firstTable);
    }
    expect(md).toContain(`${result.reasons.length} of 10 assertions failed`);
  });

  it('derives reasons from failed assertions when the runner gave none', () => {
    const result = runFixture({ pass: false });
    result.reasons = [];
    const md = renderMarkdown(result);
    expect(md).toContain('- http_req_duration{phase:fault}: p(95)<2000 — observed 3120 ms');
    expect(md).toContain('- ledger written exactly once — 212 claims, 209 ledger rows (3 missing)');
  });

  it('explains why: phases, thresholds with observed values, recovery vs bound, invariants, timeline drift, replay', () => {
    const md = renderMarkdown(runFixture({ pass: false }));
    expect(md).toContain('| fault | 20.00 s – 40.00 s | 392 | 18.30% | 19.6 | 1800 ms | 3120 ms | 5200 ms | 9100 ms |');
    expect(md).toContain('| http_req_failed{phase:fault} | rate<0.01 | 0.183 (18.30%) | ❌ **FAIL** |');
    expect(md).toContain('| rpc-throttle | 40.01 s | never recovered before the run ended | 10.0 s | ❌ **FAIL** |');
    expect(md).toContain('| db-latency | 35.01 s | 900 ms | 5000 ms | ✅ pass |');
    expect(md).toContain('| rpc-throttle | http | rpc | apply | 20.00 s | 20.01 s | +12 ms | ✅ ok |');
    expect(md).toContain('Largest drift between scheduled and actual time: +12 ms.');
    expect(md).toContain('npx faultline chaos scenarios/rpc-throttle/scenario.ts --profile smoke --seed 424242');
  });

  it('adds a first-token column only when a phase streams', () => {
    const result = runFixture();
    expect(renderMarkdown(result)).not.toContain('First-token p95');
    result.phases[1]!.firstToken = { p50: 900, p95: 2300 };
    const md = renderMarkdown(result);
    expect(md).toContain('| Phase | Window | Requests | Error rate | req/s | p50 | p95 | p99 | max | First-token p95 |');
    expect(md).toMatch(/\| fault \|.*\| 2300 ms \|/);
    expect(md).toMatch(/\| baseline \|.*\| – \|/);
  });

  it('shows how long each apply/revert call took when the runner recorded when it was issued', () => {
    const result = runFixture();
    expect(renderMarkdown(result)).not.toContain('| Call |');
    result.timeline[0]!.issuedMs = 20_001;
    const md = renderMarkdown(result);
    expect(md).toContain('| Fault | Layer | Target | Action | Scheduled | Actual | Drift | Call | Status |');
    expect(md).toContain('| rpc-throttle | http | rpc | apply | 20.00 s | 20.01 s | +12 ms | 11 ms | ✅ ok |');
    expect(md).toContain('| db-latency | network | postgres | apply | 25.00 s | 25.00 s | +4 ms | – | ✅ ok |');
  });

  it('keeps a failed fault application and table-breaking text on one row', () => {
    const result = runFixture();
    result.timeline[0] = { ...result.timeline[0]!, ok: false, error: 'ECONNREFUSED | toxiproxy\nnot running <b>' };
    const md = renderMarkdown(result);
    expect(md).toContain('❌ **error: ECONNREFUSED \\| toxiproxy not running &lt;b>** |');
  });
});
