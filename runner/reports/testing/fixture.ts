import type { PhaseResult, RunResult, SeriesPoint, TimelineEvent } from '../../result.ts';

/**
 * A realistic rpc-throttle run for the report tests: 60 s, baseline → fault → recovery,
 * the primary RPC provider throttled from 20 s to 40 s and Postgres slowed from 25 s to 35 s.
 * `pass` decides whether the mitigations held.
 */
export function runFixture(options: { pass?: boolean; scenario?: string; runId?: string; startedAt?: string } = {}): RunResult {
  const pass = options.pass ?? true;
  const scenario = options.scenario ?? 'rpc-throttle';
  const faultP95 = pass ? 1450 : 3120;
  const faultErrors = pass ? 0.004 : 0.183;

  const phases: PhaseResult[] = [
    { name: 'baseline', startMs: 0, endMs: 20_000, requests: 400, errorRate: 0, rps: 20, latency: { p50: 110, p95: 240, p99: 380, max: 512 } },
    {
      name: 'fault',
      startMs: 20_000,
      endMs: 40_000,
      requests: 392,
      errorRate: faultErrors,
      rps: 19.6,
      latency: { p50: pass ? 620 : 1800, p95: faultP95, p99: pass ? 1900 : 5200, max: pass ? 2400 : 9100 },
    },
    { name: 'recovery', startMs: 40_000, endMs: 60_000, requests: 401, errorRate: pass ? 0 : 0.02, rps: 20.05, latency: { p50: 115, p95: 260, p99: 410, max: 700 } },
  ];

  const event = (fault: string, layer: TimelineEvent['layer'], target: string, action: TimelineEvent['action'], scheduledMs: number, late: number): TimelineEvent => ({
    fault,
    layer,
    target,
    action,
    scheduledMs,
    actualMs: scheduledMs + late,
    ok: true,
  });
  const timeline: TimelineEvent[] = [
    event('rpc-throttle', 'http', 'rpc', 'apply', 20_000, 12),
    event('db-latency', 'network', 'postgres', 'apply', 25_000, 4),
    event('db-latency', 'network', 'postgres', 'revert', 35_000, 7),
    event('rpc-throttle', 'http', 'rpc', 'revert', 40_000, 9),
  ];

  const series: SeriesPoint[] = [];
  for (let t = 0; t < 60_000; t += 1000) {
    const phase = t < 20_000 ? 'baseline' : t < 40_000 ? 'fault' : 'recovery';
    const wobble = Math.sin(t / 3000); // deterministic texture, not noise
    const inFault = phase === 'fault';
    const recovering = phase === 'recovery' && t < (pass ? 43_000 : 52_000);
    series.push({
      tMs: t,
      phase,
      rps: 20 + wobble - (inFault ? 0.5 : 0),
      errorRate: inFault ? faultErrors * (1 + 0.3 * wobble) : recovering && !pass ? 0.05 : 0,
      p50: inFault ? (pass ? 600 : 1750) + 40 * wobble : recovering ? 300 : 110 + 8 * wobble,
      p95: inFault ? faultP95 + 120 * wobble : recovering ? 700 : 240 + 15 * wobble,
    });
  }

  const thresholds: RunResult['thresholds'] = [
    { metric: 'http_req_duration{phase:baseline}', expression: 'p(95)<800', observed: 240, ok: true },
    { metric: 'http_req_duration{phase:fault}', expression: 'p(95)<2000', observed: faultP95, ok: faultP95 < 2000 },
    { metric: 'http_req_failed{phase:fault}', expression: 'rate<0.01', observed: faultErrors, ok: faultErrors < 0.01 },
    { metric: 'http_req_failed{phase:recovery}', expression: 'rate<0.01', observed: pass ? 0 : 0.02, ok: pass },
    { metric: 'checks', expression: 'rate>0.99', observed: pass ? 0.998 : 0.81, ok: pass },
  ];
  const recovery: RunResult['recovery'] = [
    { fault: 'rpc-throttle', revertedAtMs: 40_009, recoveredAfterMs: pass ? 3100 : undefined, boundMs: 10_000, ok: pass },
    { fault: 'db-latency', revertedAtMs: 35_007, recoveredAfterMs: 900, boundMs: 5000, ok: true },
  ];
  const invariants: RunResult['invariants'] = [
    { name: 'no gift claimed twice', ok: true, detail: '0 duplicate claims over 212 claims' },
    { name: 'no over-claim', ok: true, detail: 'claimed 212 of 250 units' },
    { name: 'ledger written exactly once', ok: pass, detail: pass ? '212 claims, 212 ledger rows' : '212 claims, 209 ledger rows (3 missing)' },
  ];

  const failed = [
    ...thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression} crossed: observed ${t.observed}`),
    ...recovery.filter((r) => !r.ok).map((r) => `${r.fault} did not recover within ${r.boundMs} ms`),
    ...invariants.filter((i) => !i.ok).map((i) => `invariant "${i.name}" broken: ${i.detail}`),
  ];

  return {
    runId: options.runId ?? `2026-11-02T10-15-00Z-${scenario}-${pass ? 'a1b2' : 'c3d4'}`,
    scenario,
    description: 'The primary RPC provider throttles (Infura shape: 429 and -32005) for 20 s while users claim gifts.',
    profile: 'smoke',
    seed: 424242,
    replay: 'npx faultline chaos scenarios/rpc-throttle/scenario.ts --profile smoke --seed 424242',
    target: 'http://127.0.0.1:3000',
    startedAt: options.startedAt ?? '2026-11-02T10:15:00.000Z',
    durationMs: 60_000,
    verdict: pass ? 'PASS' : 'FAIL',
    reasons: failed,
    phases,
    timeline,
    thresholds,
    recovery,
    invariants,
    series,
    context: {
      environment: 'reused',
      k6: 'v1.8.1',
      mitigations: pass ? 'all on' : 'rpc-fallback off',
    },
  };
}
