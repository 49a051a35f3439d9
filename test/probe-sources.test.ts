import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../env/environment.ts';
import { MockControl } from '../mocks/control/client.ts';
import { probesSchema, type ProbesInput } from '../runner/probes/options.ts';
import { planProbes, probePlanInfo } from '../runner/probes/plan.ts';
import { ProbeSampler } from '../runner/probes/sampler.ts';
import type { ProbeReading } from '../runner/probes/source.ts';
import { testEnvironment } from './support/environment.ts';

const phases = [{ name: 'only', startMs: 0, endMs: 60_000 }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The planned probes of one source for an environment, opened. */
async function open(environment: Environment, source: string, probes: ProbesInput = {}, targetService?: string) {
  const info = probePlanInfo(environment.config, Object.keys(environment.services), targetService, probesSchema.parse(probes));
  const planned = planProbes(info).filter((p) => p.source === source);
  return Promise.all(planned.map(async (p) => ({ group: p.group, probe: await p.open(environment) })));
}
const sample = (probe: { sample(signal: AbortSignal): Promise<ProbeReading[]> }) => probe.sample(AbortSignal.timeout(2000));
const reading = (readings: ProbeReading[], metric: string, labels?: Record<string, string>) =>
  readings.find((r) => r.metric === metric && (!labels || Object.entries(labels).every(([k, v]) => r.labels?.[k] === v)));

describe('probe sources against real processes', () => {
  let environment: Environment;
  beforeAll(async () => {
    environment = await testEnvironment({ services: { postgres: {}, redis: true, llm: true } });
  });
  afterAll(async () => {
    await environment?.stop();
  });

  it('process: a busy loop uses about one core, an idle process next to nothing', async () => {
    // The busy loop reports its own CPU time (process.cpuUsage) every 50 ms: what the probe must agree with.
    const busy = spawn(process.execPath, ['-e', 'for(;;){const end=Date.now()+50;while(Date.now()<end);const u=process.cpuUsage();process.stdout.write(`${Date.now()} ${u.user+u.system}\\n`)}'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let own = { atMs: 0, cpuUs: 0 };
    let pending = '';
    busy.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      // Whole lines only: a chunk may end inside one.
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      const last = lines.at(-1)?.split(' ').map(Number);
      if (last?.length === 2 && last.every(Number.isFinite)) own = { atMs: last[0]!, cpuUs: last[1]! };
    });
    const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
    try {
      const fake = { services: { busy: { pid: busy.pid }, idle: { pid: idle.pid } }, config: environment.config } as unknown as Environment;
      const info = probePlanInfo(environment.config, [], undefined, probesSchema.parse({}));
      info.services = { busy: { options: {} }, idle: { options: {} } };
      const [b, i] = await Promise.all(planProbes(info).filter((p) => p.source === 'process').map((p) => p.open(fake)));
      // Node takes a moment to start on a busy machine: sample once the loop has reported.
      await expect.poll(() => own.atMs, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
      await Promise.all([sample(b!), sample(i!)]);
      const before = own;
      await sleep(1500);
      const [rb, ri] = await Promise.all([sample(b!), sample(i!)]);
      const after = own;
      // On an idle machine the loop takes a whole core, on a busy one its share: the probe reads what the process itself counted.
      const busyCpu = reading(rb, 'cpu')!.value;
      const idleCpu = reading(ri, 'cpu')!.value;
      const selfCounted = (after.cpuUs - before.cpuUs) / 1000 / (after.atMs - before.atMs);
      expect(Math.abs(busyCpu - selfCounted), `probe ${busyCpu}, the process itself ${selfCounted}`).toBeLessThan(0.15);
      expect(busyCpu).toBeLessThanOrEqual(1.05);
      expect(idleCpu).toBeLessThan(0.05);
      expect(busyCpu).toBeGreaterThan(10 * idleCpu);
      expect(reading(rb, 'cpu_machine')!.value).toBeCloseTo(reading(rb, 'cpu')!.value / (await import('node:os')).availableParallelism(), 2);
      expect(reading(ri, 'rss_mb')!.value).toBeGreaterThan(10);
    } finally {
      for (const child of [busy, idle] as ChildProcess[]) child.kill('SIGKILL');
    }
  });

  it('redis: the hit ratio of a known mix of hits and misses, and the memory policy', async () => {
    const [{ probe }] = await open(environment, 'redis');
    const client = new Redis(environment.services.redis!.directUrl);
    try {
      await client.set('probe:known', 'x');
      await sample(probe!);
      for (let i = 0; i < 30; i++) await client.get('probe:known');
      for (let i = 0; i < 10; i++) await client.get(`probe:missing:${i}`);
      const readings = await sample(probe!);
      expect(reading(readings, 'hit_ratio')).toMatchObject({ value: 0.75, n: 30, d: 40 });
      expect(reading(readings, 'clients')!.value).toBeGreaterThanOrEqual(1);
      expect(reading(readings, 'ops')!.n).toBeGreaterThanOrEqual(40);
      expect(probe!.facts!().maxmemory_policy).toBe('noeviction');
    } finally {
      client.disconnect();
    }
  });

  it('postgres: connections rise by the N opened', async () => {
    const [{ probe }] = await open(environment, 'postgres');
    const before = reading(await sample(probe!), 'connections')!.value;
    const clients = Array.from({ length: 5 }, () => new pg.Client({ connectionString: environment.services.postgres!.directUrl }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const readings = await sample(probe!);
      expect(reading(readings, 'connections')!.value).toBe(before + 5);
      expect(reading(readings, 'connections_ratio')!.value).toBeCloseTo((before + 5) / 200, 3);
      expect(probe!.facts!().max_connections).toBe('200');
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await probe!.close?.();
    }
  });

  it('bullmq: a queue after adding jobs, read from Redis as BullMQ stores it', async () => {
    const queue = new Queue('probe-test', { connection: { host: '127.0.0.1', port: new URL(environment.services.redis!.directUrl).port as unknown as number } });
    try {
      await queue.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }, { name: 'c', data: {} }]);
      await queue.add('later', {}, { delay: 60_000 });
      await queue.add('urgent', {}, { priority: 1 });
      const [{ probe }] = await open(environment, 'bullmq', { queues: ['probe-test', 'absent'] });
      const readings = await sample(probe!);
      expect(reading(readings, 'waiting', { queue: 'probe-test' })!.value).toBe(4);
      expect(reading(readings, 'delayed', { queue: 'probe-test' })!.value).toBe(1);
      expect(reading(readings, 'active', { queue: 'probe-test' })!.value).toBe(0);
      expect(reading(readings, 'waiting', { queue: 'absent' })!.value).toBe(0);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('prometheus: a counter as a rate, a gauge as its value, a histogram as quantiles', async () => {
    let count = 0;
    let bucket = 0;
    const server: Server = createServer((_req, res) => {
      res.end(
        [
          '# TYPE jobs_total counter',
          `jobs_total{queue="emit"} ${count}`,
          '# TYPE depth gauge',
          'depth{queue="emit"} 7',
          '# TYPE lag_seconds histogram',
          `lag_seconds_bucket{le="0.1"} ${bucket}`,
          `lag_seconds_bucket{le="1"} ${bucket * 2}`,
          `lag_seconds_bucket{le="+Inf"} ${bucket * 2}`,
          `lag_seconds_sum ${bucket}`,
          `lag_seconds_count ${bucket * 2}`,
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      const [{ probe }] = await open(environment, 'prometheus', { prometheus: [{ url }] });
      await sample(probe!);
      const started = performance.now();
      await sleep(500);
      count += 10;
      bucket += 50;
      const readings = await sample(probe!);
      const elapsed = (performance.now() - started) / 1000;
      const rate = reading(readings, 'jobs_total', { queue: 'emit' })!;
      expect(rate.n).toBe(10);
      expect(rate.value).toBeGreaterThan(10 / (elapsed + 0.2));
      expect(rate.value).toBeLessThan(10 / (elapsed - 0.2));
      expect(reading(readings, 'depth')!.value).toBe(7);
      // 100 observations: 50 under 0.1 s, 50 between 0.1 and 1 s.
      expect(reading(readings, 'lag_seconds.p50')!.value).toBeCloseTo(0.1, 5);
      expect(reading(readings, 'lag_seconds.p95')!.value).toBeCloseTo(0.1 + 0.9 * 0.9, 5);
    } finally {
      server.close();
    }
  });

  it('mocks: what a mock refused, by model and status', async () => {
    const [{ group, probe }] = await open(environment, 'mocks');
    expect(group).toBe('llm');
    const control = new MockControl(new URL(environment.services.llm!.directUrl).origin);
    await control.reset();
    await sample(probe!);
    await control.apply({ type: 'rate-limit' });
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    for (let i = 0; i < 4; i++) await fetch(`${environment.services.llm!.directUrl}/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then((r) => r.text());
    await control.clear();
    const readings = await sample(probe!);
    expect(reading(readings, 'refused', { model: 'gpt-4o-mini', status: '429' })!.n).toBe(4);
    expect(reading(readings, 'requests', { route: 'POST /v1/chat/completions' })!.n).toBe(4);
    expect(reading(readings, 'fault_hits', { type: 'rate-limit' })!.n).toBe(4);
  });

  it('a source that stops answering (Redis frozen) is a gap on the time axis, and sampling goes on', async () => {
    const planned = planProbes(probePlanInfo(environment.config, ['redis'], undefined, probesSchema.parse({}))).filter((p) => p.group === 'redis' && p.source === 'redis');
    const sampler = new ProbeSampler(planned, { environment, originMs: Date.now(), phases, intervalMs: 1000, timeoutMs: 400 });
    await sampler.tick(0);
    await environment.pause('redis');
    try {
      await sampler.tick(1000);
      await sampler.tick(2000);
    } finally {
      await environment.resume('redis');
    }
    await sampler.tick(3000);
    const data = await sampler.stop();
    expect(data.gaps).toEqual([expect.objectContaining({ group: 'redis', fromMs: 1000, toMs: 2000, ticks: 2 })]);
    const clients = data.series.find((s) => s.metric === 'clients')!;
    expect(clients.points.map((p) => p.tMs)).toEqual([0, 3000]);
  });
});
