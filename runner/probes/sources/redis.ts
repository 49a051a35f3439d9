import type { Environment } from '../../../env/environment.ts';
import { CounterDeltas } from '../counters.ts';
import { parseInfo, redisPipeline } from '../redis-pipeline.ts';
import { defineProbeSource, type MetricInfo, type OpenProbe, type ProbeReading } from '../source.ts';

const METRICS: Record<string, MetricInfo> = {
  hit_ratio: { kind: 'ratio', unit: '%', description: 'keyspace hits / (hits + misses)' },
  used_memory_mb: { kind: 'gauge', unit: 'MB', description: 'used_memory' },
  memory_ratio: { kind: 'gauge', unit: '%', description: 'used_memory / maxmemory (when maxmemory is set)' },
  evictions: { kind: 'counter', unit: '/s', description: 'keys evicted (count: how many)' },
  clients: { kind: 'gauge', unit: '', description: 'connected clients (the probe not counted)' },
  ops: { kind: 'counter', unit: '/s', description: 'commands processed (the probe not counted)' },
  rejected_connections: { kind: 'counter', unit: '/s', description: 'connections refused (maxclients)' },
  latency_us: { kind: 'ratio', unit: 'µs', description: 'mean command time over the interval (commandstats)' },
};

/** What the probe itself sends per tick: not counted in `ops`. */
const OWN_COMMANDS = 2;

/** Redis INFO on the direct URL: hit ratio, memory vs maxmemory, evictions, clients, ops/s, command latency. */
export default defineProbeSource({
  name: 'redis',
  description: 'Redis INFO: hit ratio, memory vs maxmemory, evictions, clients, ops/s, command latency, maxmemory-policy',
  plan(info) {
    if (!info.services.redis) return [];
    return [{ group: 'redis', source: 'redis', metrics: METRICS, open: (environment: Environment) => openRedis(environment) }];
  },
});

function openRedis(environment: Environment): OpenProbe {
  const deltas = new CounterDeltas();
  let facts: Record<string, string> = {};
  return {
    facts: () => facts,
    async sample(signal) {
      const url = environment.services.redis!.directUrl;
      const [info, commands] = await redisPipeline(url, [['INFO', 'default'], ['INFO', 'commandstats']], signal);
      if (info instanceof Error) throw info;
      const f = parseInfo(String(info));
      const seconds = deltas.tick();
      const num = (key: string) => Number(f[key] ?? 0);
      facts = { maxmemory: f.maxmemory ?? '?', maxmemory_policy: f.maxmemory_policy ?? '?', version: f.redis_version ?? '?' };
      const readings: ProbeReading[] = [
        { metric: 'used_memory_mb', value: round(num('used_memory') / 1e6) },
        { metric: 'clients', value: Math.max(0, num('connected_clients') - 1) },
      ];
      if (num('maxmemory') > 0) readings.push({ metric: 'memory_ratio', value: round(num('used_memory') / num('maxmemory'), 4) });
      const hits = deltas.delta('hits', num('keyspace_hits'));
      const misses = deltas.delta('misses', num('keyspace_misses'));
      const counter = (metric: string, key: string, own = 0) => {
        const d = deltas.delta(key, num(key));
        if (d !== undefined && seconds) {
          const n = Math.max(0, d - own);
          readings.push({ metric, value: round(n / seconds), n });
        }
      };
      counter('evictions', 'evicted_keys');
      counter('ops', 'total_commands_processed', OWN_COMMANDS);
      counter('rejected_connections', 'rejected_connections');
      if (hits !== undefined && misses !== undefined && hits + misses > 0) readings.push({ metric: 'hit_ratio', value: round(hits / (hits + misses), 4), n: hits, d: hits + misses });
      if (!(commands instanceof Error)) {
        // cmdstat_get:calls=12,usec=40,usec_per_call=3.33,...: the probe's own INFO left out.
        let calls = 0;
        let usec = 0;
        for (const [key, value] of Object.entries(parseInfo(String(commands)))) {
          if (!key.startsWith('cmdstat_') || key === 'cmdstat_info') continue;
          calls += Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
          usec += Number(/usec=(\d+)/.exec(value)?.[1] ?? 0);
        }
        const dCalls = deltas.delta('calls', calls);
        const dUsec = deltas.delta('usec', usec);
        if (dCalls && dUsec !== undefined) readings.push({ metric: 'latency_us', value: round(dUsec / dCalls), n: dUsec, d: dCalls });
      }
      return readings;
    },
  };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
