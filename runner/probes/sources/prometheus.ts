import type { Environment } from '../../../env/environment.ts';
import { CounterDeltas } from '../counters.ts';
import { httpGetText } from '../http-get.ts';
import { histogramQuantile, parsePrometheusText } from '../prometheus-text.ts';
import { defineProbeSource, isApp, type OpenProbe, type PlannedProbe, type ProbeReading } from '../source.ts';

/** More series than this from one endpoint are left out (an app that labels by user id). */
const MAX_SERIES = 200;
const QUANTILES: Array<[string, number]> = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
];

/**
 * A Prometheus endpoint: by default the target app's `/metrics` (when it answers in the
 * text format), or those the scenario lists (`probes.prometheus`). Counters become rates
 * per second (`count`: the increase), gauges stay values, histograms give `<name>.p50`,
 * `.p95`, `.p99` over each interval (from the bucket increases) and `<name>.count`.
 */
export default defineProbeSource({
  name: 'prometheus',
  description: "a Prometheus endpoint (default: the app's /metrics): counters as rates, gauges, histograms as p50/p95/p99",
  plan(info) {
    if (info.probes.prometheus === false) return [];
    const app = info.targetService && isApp(info.services[info.targetService]?.definition) ? info.targetService : undefined;
    const endpoints = info.probes.prometheus ?? (app ? [{ name: 'prom', url: '/metrics', metrics: undefined, optional: true }] : []);
    return endpoints.map(
      (e): PlannedProbe => ({
        group: e.name,
        source: 'prometheus',
        metrics: {},
        anyMetric: true,
        open: (environment: Environment) => openEndpoint(environment, app, e.url, e.metrics, 'optional' in e),
      }),
    );
  },
});

async function openEndpoint(environment: Environment, app: string | undefined, path: string, only: string[] | undefined, optional: boolean): Promise<OpenProbe> {
  const base = app ? environment.services[app]?.directUrl : undefined;
  const url = /^https?:\/\//.test(path) ? path : base ? new URL(path, base).toString() : undefined;
  if (!url) throw new Error(`prometheus: ${path} is a path, and the run has no app to resolve it against; give a full URL`);
  const scrape = async (signal: AbortSignal) => parsePrometheusText(/^https:/.test(url) ? await fetchText(url, signal) : await httpGetText(url, signal));
  if (optional) {
    // The default endpoint is probed only when the app has one.
    const first = await scrape(AbortSignal.timeout(1000)).catch(() => undefined);
    if (!first || first.samples.length === 0) return { sample: async () => [], facts: () => ({ endpoint: `${url} (none: not probed)` }) };
  }
  const deltas = new CounterDeltas();
  return {
    facts: () => ({ endpoint: url }),
    async sample(signal) {
      const { types, samples } = await scrape(signal);
      const seconds = deltas.tick();
      const readings: ProbeReading[] = [];
      const histograms = new Map<string, { name: string; labels: Record<string, string>; buckets: Array<{ le: number; count: number }> }>();
      const family = (name: string) => (types[name] ? name : name.replace(/_(bucket|sum|count|total)$/, ''));
      for (const s of samples) {
        const fam = family(s.name);
        if (only && !only.includes(fam) && !only.includes(s.name)) continue;
        const type = types[fam] ?? types[s.name] ?? 'untyped';
        const key = `${s.name}${JSON.stringify(s.labels)}`;
        if (type === 'histogram') {
          if (s.name.endsWith('_bucket')) {
            const { le, ...labels } = s.labels;
            const hKey = `${fam}${JSON.stringify(labels)}`;
            let h = histograms.get(hKey);
            if (!h) histograms.set(hKey, (h = { name: fam, labels, buckets: [] }));
            const increase = deltas.delta(key, s.value);
            if (increase !== undefined) h.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: increase });
          } else if (s.name.endsWith('_count')) {
            const increase = deltas.delta(key, s.value);
            if (increase !== undefined && seconds) readings.push({ metric: `${fam}.count`, labels: s.labels, value: round(increase / seconds), n: increase });
          }
          continue;
        }
        if (type === 'counter') {
          const increase = deltas.delta(key, s.value);
          if (increase !== undefined && seconds) readings.push({ metric: s.name, labels: s.labels, value: round(increase / seconds), n: increase });
        } else if (type !== 'summary' || !s.name.match(/_(sum|count)$/)) {
          readings.push({ metric: s.name, labels: s.labels, value: s.value });
        }
      }
      for (const h of histograms.values()) {
        for (const [suffix, q] of QUANTILES) {
          const value = histogramQuantile(q, h.buckets);
          if (value !== undefined) readings.push({ metric: `${h.name}.${suffix}`, labels: h.labels, value: round(value, 6) });
        }
      }
      return readings.slice(0, MAX_SERIES * 3);
    },
  };
}

async function fetchText(url: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(url, { signal });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return text;
}

const round = (n: number, digits = 4) => Number(n.toFixed(digits));
