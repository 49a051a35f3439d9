import { describe, expect, it } from 'vitest';
import type { RunResult } from '../result.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { runFixture } from './testing/fixture.ts';

/** The fixture's failing run with diagnostics: a probe, a probe threshold, a failure sample, a plan check. */
function withDiagnostics(): RunResult {
  const result = runFixture({ pass: false });
  const points = Array.from({ length: 60 }, (_, i) => ({ tMs: (i + 1) * 1000, phase: i < 20 ? 'baseline' : i < 40 ? 'fault' : 'recovery', v: i >= 20 && i < 40 ? 12 : 0, n: i >= 20 && i < 40 ? 12 : 0 }));
  result.thresholds.push({ metric: 'probe:rpc.refused{provider=infura,phase:fault}', expression: 'count<10', observed: 240, ok: false, source: 'probe' });
  result.diagnostics = {
    schemaVersion: 1,
    probes: {
      intervalMs: 1000,
      groups: [{ group: 'rpc', source: 'mocks' }],
      series: [{ group: 'rpc', source: 'mocks', metric: 'refused', labels: { provider: 'infura', status: '429' }, kind: 'counter', unit: '/s', points }],
      gaps: [{ group: 'rpc', source: 'mocks', fromMs: 50_000, toMs: 52_000, ticks: 3, error: 'no answer within 900 ms' }],
      facts: { redis: { maxmemory_policy: 'volatile-lru' } },
    },
    statusBreakdown: [{ phase: 'fault', requests: 392, byStatus: { '2xx': 320, '502': 70, '429': 2 }, timeouts: 0, connectionErrors: 0, otherErrors: {} }],
    failureSamples: [{ tMs: 20_512, phase: 'fault', kind: '5xx', method: 'POST', name: '/api/gifts/:id/claim', status: 502, durationMs: 3002.26, requestId: 'req-7f3a', body: '{"error":"rpc refused"}', foundIn: ['.faultline/logs/app.log'] }],
    attribution: [{ threshold: 'http_req_failed{phase:fault} rate<0.01', window: { fromMs: 20_000, toMs: 40_000, phase: 'fault' }, notes: ['rpc-throttle in force 20.0–40.0 s', 'rpc refused 240 (provider=infura, status=429)'] }],
    plans: [{ name: 'messages by room', sql: 'select 1', expect: 'Index Scan using messages_room_created_idx', ok: false, plan: 'Seq Scan on messages\n  Filter: ...' }],
  };
  return result;
}

describe('diagnostics in the reports', () => {
  it('report.md lists why it failed, responses by status, failure samples with where their id was logged, plan checks and probes', () => {
    const md = renderMarkdown(withDiagnostics());
    expect(md).toContain('| http_req_failed{phase:fault} rate<0.01 | fault: 20.00 s – 40.00 s | rpc-throttle in force 20.0–40.0 s; rpc refused 240 (provider=infura, status=429) |');
    expect(md).toContain('| fault | 392 | 320 | 0 | 429 ×2 | 502 ×70 | 0 | 0 | 0 |');
    expect(md).toContain('| 20.51 s | fault | 5xx | POST /api/gifts/:id/claim | 502 | 3002 ms | req-7f3a | .faultline/logs/app.log |');
    expect(md).toMatch(/\| messages by room \| Index Scan using messages_room_created_idx \| Seq Scan on messages {3}Filter: \.\.\. \| ❌ \*\*FAIL\*\* \|/);
    expect(md).toContain('| rpc.refused{provider=infura,status=429} | Σ 0 · max 0/s | Σ 240 · max 12/s | Σ 0 · max 0/s |');
    expect(md).toContain('| probe:rpc.refused{provider=infura,phase:fault} | count<10 | 240 | ❌ **FAIL** |');
    expect(md).toContain('| redis | maxmemory_policy | volatile-lru |');
  });

  it('report.html has one probe chart per group, with the fault window, the gap and the probe threshold drawn', () => {
    const html = renderHtml(withDiagnostics());
    const probes = html.slice(html.indexOf('<h2>Probes</h2>'));
    expect(probes).toContain('aria-label="Probe rpc"');
    expect(probes).toContain('<rect class="gap"');
    expect(probes).toContain('class="fault-window"');
    expect(probes).toMatch(/<g class="threshold bad"><title>threshold count&lt;10 \{provider=infura\}<\/title>/);
    expect(html.length).toBeLessThan(120_000);
  });

  it('junit has a testcase for the probe threshold and the plan check', () => {
    const xml = renderJunit(withDiagnostics());
    expect(xml).toContain('name="probe:rpc.refused{provider=infura,phase:fault}: count&lt;10"');
    expect(xml).toContain('classname="faultline.rpc-throttle.plan" name="plan messages by room contains &quot;Index Scan using messages_room_created_idx&quot;"');
  });
});
