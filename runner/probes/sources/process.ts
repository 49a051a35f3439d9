import { availableParallelism } from 'node:os';
import type { Environment } from '../../../env/environment.ts';
import { containerStats } from '../docker-stats.ts';
import { CLOCK_TICKS, descendants, processTable, processTree } from '../proc.ts';
import { defineProbeSource, type MetricInfo, type OpenProbe, type ProbeReading } from '../source.ts';

const METRICS: Record<string, MetricInfo> = {
  cpu: { kind: 'gauge', unit: 'cores', description: 'CPU used, in cores (1 = one core busy): the process and its children' },
  cpu_machine: { kind: 'gauge', unit: '%', description: 'CPU used as a share of the whole machine' },
  rss_mb: { kind: 'gauge', unit: 'MB', description: 'resident memory (the process and its children; a container: its memory use)' },
};

/**
 * CPU and memory of every service Faultline runs: a local process from /proc (its
 * process group and children, so Postgres's backends count), a container from the
 * engine's stats. A service the team runs (external) has no process here.
 */
export default defineProbeSource({
  name: 'process',
  description: 'CPU (cores and share of the machine) and RSS of every service process or container',
  plan(info) {
    return Object.entries(info.services)
      .filter(([, s]) => !s.options.external && !s.options.tcp)
      .map(([name]) => ({ group: name, source: 'process', metrics: METRICS, open: (environment: Environment) => openProcess(environment, name) }));
  },
});

function openProcess(environment: Environment, name: string): OpenProbe {
  const cores = availableParallelism();
  let previous: { atMs: number; cpu: number; ticks: Map<number, number> | undefined; unit: string } | undefined;
  return {
    async sample(signal) {
      // The handle refreshes after a restart: read the pid (or container) at every tick.
      const service = environment.services[name];
      if (!service) throw new Error(`${name} is not in the environment`);
      const atMs = performance.now();
      let cpuSeconds: number;
      let rssBytes: number;
      let ticks: Map<number, number> | undefined;
      let unit: string;
      if (service.containerId) {
        const stats = await containerStats(service.containerId, signal);
        cpuSeconds = stats.cpuNs / 1e9;
        rssBytes = stats.memoryBytes;
        unit = service.containerId;
      } else if (service.pid > 0) {
        const tree = descendants(service.pid) ?? processTree(service.pid, processTable());
        if (tree.length === 0) throw new Error(`${name}: no process ${service.pid}`);
        ticks = new Map(tree.map((p) => [p.pid, p.cpuTicks]));
        // A process seen before counts what it used since; a new one (a backend forked since) all it used.
        const before = previous?.unit === String(service.pid) ? previous.ticks : undefined;
        cpuSeconds = tree.reduce((sum, p) => sum + (p.cpuTicks - (before?.get(p.pid) ?? 0)), 0) / CLOCK_TICKS;
        rssBytes = tree.reduce((sum, p) => sum + p.rssBytes, 0);
        unit = String(service.pid);
      } else {
        throw new Error(`${name}: no process or container recorded`);
      }
      const readings: ProbeReading[] = [{ metric: 'rss_mb', value: round(rssBytes / 1e6) }];
      if (previous && previous.unit === unit && atMs > previous.atMs) {
        const used = ticks ? cpuSeconds : cpuSeconds - previous.cpu;
        const cpu = Math.max(0, used / ((atMs - previous.atMs) / 1000));
        readings.push({ metric: 'cpu', value: round(cpu, 4) }, { metric: 'cpu_machine', value: round(cpu / cores, 4) });
      }
      previous = { atMs, cpu: cpuSeconds, ticks, unit };
      return readings;
    },
  };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
