import type { Environment } from '../../../env/environment.ts';
import { redisPipeline } from '../redis-pipeline.ts';
import { defineProbeSource, type MetricInfo, type OpenProbe, type ProbeReading } from '../source.ts';

const METRICS: Record<string, MetricInfo> = {
  waiting: { kind: 'gauge', unit: '', description: 'jobs waiting (wait + paused + prioritized)' },
  active: { kind: 'gauge', unit: '', description: 'jobs being processed' },
  delayed: { kind: 'gauge', unit: '', description: 'jobs delayed' },
  completed: { kind: 'gauge', unit: '', description: 'jobs kept as completed' },
  failed: { kind: 'gauge', unit: '', description: 'jobs kept as failed' },
};

/**
 * BullMQ queues the scenario names (`probes.queues`), read the way BullMQ stores them in
 * Redis: `<prefix>:<queue>:wait|paused|active` lists and `prioritized|delayed|completed|failed`
 * sorted sets. No client library: one pipelined round trip per tick on the direct URL.
 */
export default defineProbeSource({
  name: 'bullmq',
  description: 'BullMQ queues named in the scenario: waiting, active, delayed, completed, failed (labelled queue=<name>)',
  plan(info) {
    if (!info.services.redis || info.probes.queues.length === 0) return [];
    return [{ group: 'bullmq', source: 'bullmq', metrics: METRICS, open: (environment: Environment) => openQueues(environment, info.probes.queues, info.probes.queuePrefix) }];
  },
});

function openQueues(environment: Environment, queues: string[], prefix: string): OpenProbe {
  const KEYS: Array<[string, 'LLEN' | 'ZCARD']> = [
    ['wait', 'LLEN'],
    ['paused', 'LLEN'],
    ['prioritized', 'ZCARD'],
    ['active', 'LLEN'],
    ['delayed', 'ZCARD'],
    ['completed', 'ZCARD'],
    ['failed', 'ZCARD'],
  ];
  return {
    async sample(signal) {
      const commands = queues.flatMap((q) => KEYS.map(([key, command]) => [command, `${prefix}:${q}:${key}`]));
      const replies = await redisPipeline(environment.services.redis!.directUrl, commands, signal);
      const readings: ProbeReading[] = [];
      queues.forEach((queue, i) => {
        const [wait, paused, prioritized, active, delayed, completed, failed] = replies.slice(i * KEYS.length, (i + 1) * KEYS.length).map((r) => (typeof r === 'number' ? r : 0));
        const labels = { queue };
        readings.push(
          { metric: 'waiting', labels, value: wait! + paused! + prioritized! },
          { metric: 'active', labels, value: active! },
          { metric: 'delayed', labels, value: delayed! },
          { metric: 'completed', labels, value: completed! },
          { metric: 'failed', labels, value: failed! },
        );
      });
      return readings;
    },
  };
}
