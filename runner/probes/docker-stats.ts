import { request } from 'node:http';

/** What the engine's stats endpoint says of one container (the fields a probe uses). */
export interface ContainerStats {
  /** Total CPU time used, ns. */
  cpuNs: number;
  memoryBytes: number;
}

/** The Docker engine's socket: DOCKER_HOST when it is a unix socket, else the default one. */
export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

/**
 * One stats reading of a container (`one-shot`: the engine answers at once instead of
 * waiting a second for its own second sample; the probe keeps the previous reading itself).
 */
export function containerStats(id: string, signal: AbortSignal, socketPath = dockerSocket()): Promise<ContainerStats> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`docker stats ${id.slice(0, 12)}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        try {
          const stats = JSON.parse(body) as { cpu_stats?: { cpu_usage?: { total_usage?: number } }; memory_stats?: { usage?: number; stats?: { inactive_file?: number; total_inactive_file?: number } } };
          const memory = stats.memory_stats ?? {};
          const cache = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
          resolve({ cpuNs: stats.cpu_stats?.cpu_usage?.total_usage ?? 0, memoryBytes: Math.max(0, (memory.usage ?? 0) - cache) });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    req.once('error', reject);
    req.end();
  });
}
