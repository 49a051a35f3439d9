import { describe, expect, it } from 'vitest';
import type { ProbeSeries } from './series.ts';
import { judgeOne, parseProbeExpression, parseProbeKey, probeThresholdProblems, splitThresholds } from './thresholds.ts';

const series = (metric: string, kind: ProbeSeries['kind'], labels: Record<string, string>, points: Array<[number, string, number, number?, number?]>): ProbeSeries => ({
  group: 'g',
  source: 's',
  metric,
  labels,
  kind,
  unit: '',
  points: points.map(([tMs, phase, v, n, d]) => ({ tMs, phase, v, ...(n !== undefined ? { n } : {}), ...(d !== undefined ? { d } : {}) })),
});

describe('probe thresholds', () => {
  it('reads keys: group, metric, label filters and the phase in either tag form', () => {
    expect(parseProbeKey('probe:rpc.refused{provider=infura,phase:fault}')).toEqual({ group: 'rpc', metric: 'refused', labels: { provider: 'infura' }, phase: 'fault' });
    expect(parseProbeKey('probe:prom.http_request_duration_seconds.p95')).toEqual({ group: 'prom', metric: 'http_request_duration_seconds.p95', labels: {} });
    expect(parseProbeKey('probe:redis')).toMatch(/expected "probe:<group>\.<metric>"/);
  });

  it('reads expressions with an optional aggregate', () => {
    expect(parseProbeExpression('>0.85')).toEqual({ aggregate: 'value', op: '>', bound: 0.85 });
    expect(parseProbeExpression('last < 10')).toEqual({ aggregate: 'last', op: '<', bound: 10 });
    expect(parseProbeExpression('p(95)<200')).toEqual({ aggregate: 'p(95)', op: '<', bound: 200 });
    expect(parseProbeExpression('sum<1')).toBeUndefined();
  });

  it('pools a ratio over the window, adds label sets up per tick, counts a counter’s increase', () => {
    const data = {
      series: [
        series('hit_ratio', 'ratio', {}, [[1000, 'a', 1, 10, 10], [2000, 'b', 0.5, 5, 10], [3000, 'b', 0, 0, 30]]),
        series('depth', 'gauge', { queue: 'emit' }, [[1000, 'a', 3], [2000, 'a', 9]]),
        series('depth', 'gauge', { queue: 'mail' }, [[1000, 'a', 1], [2000, 'a', 1]]),
        series('refused', 'counter', { provider: 'infura' }, [[1000, 'a', 0, 0], [2000, 'b', 12, 12], [3000, 'b', 3, 3]]),
      ],
    };
    expect(judgeOne('probe:g.hit_ratio{phase:b}', '>0.5', data)).toMatchObject({ ok: false, observed: 0.125 });
    expect(judgeOne('probe:g.hit_ratio', 'min<0.1', data)).toMatchObject({ ok: true, observed: 0 });
    expect(judgeOne('probe:g.depth', 'max<=10', data)).toMatchObject({ ok: true, observed: 10 });
    expect(judgeOne('probe:g.depth{queue=emit}', 'last<5', data)).toMatchObject({ ok: false, observed: 9 });
    expect(judgeOne('probe:g.refused{provider=infura,phase:b}', 'count>0', data)).toMatchObject({ ok: true, observed: 15 });
    // Nothing refused by alchemy ever: a count of 0, not "no samples".
    expect(judgeOne('probe:g.refused{provider=alchemy}', 'count<1', data)).toMatchObject({ ok: true, observed: 0 });
    // No points at all: not judged, so it fails (as k6 does for a metric without samples).
    const unjudged = judgeOne('probe:g.depth{phase:b}', 'max<10', data);
    expect(unjudged.ok).toBe(false);
    expect(unjudged.observed).toBeUndefined();
  });

  it('names the field when a probe, a metric or a phase will not exist', () => {
    const planned = [{ group: 'redis', source: 'redis', metrics: { hit_ratio: { kind: 'ratio' as const, description: '' } }, open: () => ({ sample: async () => [] }) }];
    const problems = probeThresholdProblems({ 'probe:redis.hit_ratio{phase:x}': ['>1'], 'probe:redis.misses': ['>1'], 'probe:pg.tps': ['>1'], http_req_failed: ['rate<1'] }, planned, [{ name: 'a', startMs: 0, endMs: 1 }]);
    expect(problems).toEqual([
      'assertions.thresholds.probe:redis.hit_ratio{phase:x}: unknown phase "x"; phases are a',
      'assertions.thresholds.probe:redis.misses: probe "redis" has no metric "misses"; it reports hit_ratio',
      expect.stringMatching(/^assertions\.thresholds\.probe:pg\.tps: no probe "pg" in this environment; it will have redis/),
    ]);
  });

  it('keeps probe thresholds away from k6', () => {
    expect(splitThresholds({ 'probe:app.cpu': ['max<0.7'], 'http_req_failed{phase:a}': ['rate<0.1'] })).toEqual({ k6: { 'http_req_failed{phase:a}': ['rate<0.1'] }, probe: { 'probe:app.cpu': ['max<0.7'] } });
  });
});
