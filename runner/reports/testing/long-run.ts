import { seededRandom } from '../../../lib/random.ts';
import { phaseMetrics, timeSeries } from '../../analysis.ts';
import { DIAGNOSTICS_SCHEMA_VERSION, type FailureKind, type FailureSample } from '../../diagnostics/result.ts';
import { statusBreakdown } from '../../diagnostics/status-breakdown.ts';
import type { ProbeSeries } from '../../probes/series.ts';
import { RequestStats } from '../../request-stats.ts';
import type { RunResult } from '../../result.ts';
import { runFixture } from './fixture.ts';

/**
 * A long run for the report-size checks: `minutes` at `rps` requests per second (100 rps for
 * 10 minutes by default), baseline → fault → recovery, its series and phases computed by the
 * runner's own analysis from generated requests, and what the probes see of a typical
 * environment (the app's and the mocks' processes, Postgres with its statements, Redis,
 * a queue) sampled every second, failure samples at the default 20 per phase and kind.
 */
export function longRun(options: { minutes?: number; rps?: number } = {}): RunResult {
  const durationMs = (options.minutes ?? 10) * 60_000;
  const rps = options.rps ?? 100;
  const next = seededRandom(7);
  const third = durationMs / 3;
  const phases = [
    { name: 'baseline', startMs: 0, endMs: third },
    { name: 'fault', startMs: third, endMs: 2 * third },
    { name: 'recovery', startMs: 2 * third, endMs: durationMs },
  ];
  const phaseAt = (t: number) => (t < third ? 'baseline' : t < 2 * third ? 'fault' : 'recovery');
  const stats = new RequestStats();
  const total = (durationMs / 1000) * rps;
  for (let i = 0; i < total; i++) {
    const tMs = Math.round((i * 1000) / rps);
    const phase = phaseAt(tMs);
    const failed = phase === 'fault' && next() < 0.1;
    const value = (phase === 'fault' ? 4 : 1) * (20 + Math.exp(next() * 3));
    stats.add('duration', { tMs, value, phase, status: failed ? '503' : '200', ...(failed ? { errorCode: '1503' } : {}) });
    stats.add('failed', { tMs, value: failed ? 1 : 0, phase }, tMs + value);
  }
  const base = runFixture({ pass: false });
  const scale = (t: number) => (t / 60_000) * durationMs;
  const series: ProbeSeries[] = [];
  const probe = (group: string, source: string, metric: string, unit: string, level: (t: number) => number, labels: Record<string, string> = {}) => {
    const points = [];
    for (let t = 1000; t <= durationMs; t += 1000) points.push({ tMs: t, phase: phaseAt(t), v: Math.round(level(t) * (1 + 0.1 * next()) * 1000) / 1000 });
    series.push({ group, source, metric, labels, kind: 'gauge', unit, points });
  };
  const faulty = (t: number, normal: number, broken: number) => (phaseAt(t) === 'fault' ? broken : normal);
  for (const group of ['app', 'rpc', 'llm', 'farcaster']) {
    probe(group, 'process', 'cpu', '', (t) => faulty(t, 0.3, 0.7));
    probe(group, 'process', 'cpu_machine', '', (t) => faulty(t, 0.15, 0.35));
    probe(group, 'process', 'rss_mb', 'MB', (t) => 120 + t / 10_000);
    probe(group, 'mocks', 'requests', '/s', (t) => faulty(t, 100, 60), { route: 'eth_call' });
  }
  for (const metric of ['connections', 'connections_ratio', 'active', 'waiting_locks', 'tps']) probe('postgres', 'postgres', metric, '', (t) => faulty(t, 20, 45));
  for (let s = 0; s < 5; s++) for (const metric of ['statement_calls', 'statement_mean_ms', 'statement_p95_ms']) probe('postgres', 'postgres', metric, '', (t) => faulty(t, 5 + s, 30 + s), { query: `SELECT * FROM gifts WHERE id = $${s}` });
  for (const metric of ['used_memory_mb', 'clients', 'hit_ratio', 'ops', 'latency_us', 'evictions']) probe('redis', 'redis', metric, metric === 'hit_ratio' ? '%' : '', (t) => faulty(t, metric === 'hit_ratio' ? 0.9 : 50, metric === 'hit_ratio' ? 0.4 : 80));
  for (const metric of ['waiting', 'active', 'delayed', 'completed', 'failed']) probe('queue', 'bullmq', metric, '', (t) => faulty(t, 3, 40), { queue: 'claims' });
  const kinds: FailureKind[] = ['4xx', '5xx', 'timeout', 'connection', 'slow'];
  const failureSamples: FailureSample[] = phases.flatMap((p) =>
    kinds.flatMap((kind) =>
      Array.from({ length: 20 }, (_, i) => ({
        tMs: Math.round(p.startMs + (i + 0.5) * ((p.endMs - p.startMs) / 20)),
        phase: p.name,
        kind,
        method: 'POST',
        name: 'http://127.0.0.1:3000/gifts/{id}/claim',
        status: kind === '5xx' ? 503 : kind === '4xx' ? 429 : kind === 'slow' ? 200 : 0,
        durationMs: 1200 + i,
        requestId: `req-${p.name}-${kind}-${i}`,
        traceparent: `00-${String(i).padStart(32, '0')}-${String(i).padStart(16, '0')}-01`,
        body: '{"error":"upstream provider throttled the request (429 Too Many Requests), retry later"}',
        foundIn: ['app.log'],
      })),
    ),
  );
  return {
    ...base,
    durationMs,
    phases: phaseMetrics(stats, phases),
    series: timeSeries(stats, phases, durationMs),
    timeline: base.timeline.map((e) => ({ ...e, scheduledMs: scale(e.scheduledMs), actualMs: scale(e.actualMs) })),
    recovery: base.recovery.map((r) => ({ ...r, revertedAtMs: scale(r.revertedAtMs) })),
    diagnostics: {
      schemaVersion: DIAGNOSTICS_SCHEMA_VERSION,
      probes: { intervalMs: 1000, groups: [...new Set(series.map((s) => `${s.group} ${s.source}`))].map((k) => ({ group: k.split(' ')[0]!, source: k.split(' ')[1]! })), series, gaps: [], facts: {} },
      statusBreakdown: statusBreakdown(stats, phases),
      failureSamples,
      attribution: [],
      plans: [],
    },
  };
}
