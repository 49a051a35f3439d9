import type { Environment } from '../../../env/environment.ts';
import { httpGetText } from '../http-get.ts';
import { CounterDeltas } from '../counters.ts';
import { defineProbeSource, isMock, type MetricInfo, type OpenProbe, type ProbeReading } from '../source.ts';

const METRICS: Record<string, MetricInfo> = {
  requests: { kind: 'counter', unit: '/s', description: 'requests (rpc: calls) by route, or by provider and method' },
  refused: { kind: 'counter', unit: '/s', description: 'requests refused (a fault or the provider’s own limits), by provider/model/api and status' },
  fault_hits: { kind: 'counter', unit: '/s', description: 'responses a fault changed, by fault type and target' },
};

interface MockStats {
  requests: Record<string, number>;
  faults: Record<string, { type: string; target?: string; hits: number }>;
  refused?: Array<{ labels: Record<string, string>; count: number }>;
}

/**
 * Every simulated third party's `/__faultline/stats`: what it was asked and what it
 * refused, so a report can show that a fault reached the dependency (the primary
 * provider answered 429 to N calls, the fallback got M).
 */
export default defineProbeSource({
  name: 'mocks',
  description: "the mocks' /__faultline/stats: requests, refusals by provider and status, fault hits",
  plan(info) {
    return Object.entries(info.services)
      .filter(([, s]) => isMock(s.definition))
      .map(([name]) => ({ group: name, source: 'mocks', metrics: METRICS, open: (environment: Environment) => openMock(environment, name) }));
  },
});

/** "infura eth_call" → provider + method; "POST /v1/chat/completions" → route. */
function routeLabels(route: string): Record<string, string> {
  const [first, ...rest] = route.split(' ');
  if (rest.length === 1 && !/^[A-Z]+$/.test(first!)) return { provider: first!, method: rest[0]! };
  return { route };
}

function openMock(environment: Environment, name: string): OpenProbe {
  const deltas = new CounterDeltas();
  return {
    async sample(signal) {
      const origin = new URL(environment.services[name]!.directUrl).origin;
      const stats = JSON.parse(await httpGetText(`${origin}/__faultline/stats`, signal)) as MockStats;
      const seconds = deltas.tick();
      const readings: ProbeReading[] = [];
      const counter = (metric: string, key: string, labels: Record<string, string>, total: number) => {
        const n = deltas.delta(key, total);
        if (n !== undefined && seconds) readings.push({ metric, labels, value: round(n / seconds), n });
      };
      for (const [route, count] of Object.entries(stats.requests)) counter('requests', `r:${route}`, routeLabels(route), count);
      for (const r of stats.refused ?? []) counter('refused', `x:${JSON.stringify(r.labels)}`, r.labels, r.count);
      const hits = new Map<string, { labels: Record<string, string>; hits: number }>();
      for (const f of Object.values(stats.faults)) {
        const labels = { type: f.type, target: f.target ?? '*' };
        const key = JSON.stringify(labels);
        hits.set(key, { labels, hits: (hits.get(key)?.hits ?? 0) + f.hits });
      }
      for (const [key, h] of hits) counter('fault_hits', `f:${key}`, h.labels, h.hits);
      return readings;
    },
  };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
