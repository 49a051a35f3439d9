import { getContainerRuntimeClient, ImageName } from 'testcontainers';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../env/environment.ts';
import { dockerAnswers, imageFor } from '../env/runtimes/containers.ts';
import { services as knownServices } from '../env/services/index.ts';
import { toxiproxyServer } from '../env/toxiproxy.ts';
import { runPlanChecks } from '../runner/diagnostics/explain.ts';
import { probesSchema } from '../runner/probes/options.ts';
import { planProbes, probePlanInfo } from '../runner/probes/plan.ts';
import type { ProbeReading } from '../runner/probes/source.ts';
import { testEnvironment } from './support/environment.ts';

/** The containers variant runs where a Docker engine answers and the images are there (CI builds stand-ins). */
async function containersCanRun(): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  if (!(await dockerAnswers())) return false;
  const client = await getContainerRuntimeClient();
  for (const d of [toxiproxyServer, knownServices.postgres!, knownServices.redis!]) {
    if (!(await client.image.exists(ImageName.fromString(imageFor(d.name, d.container!({} as never, d.options.parse({})).image, { containers: { images: {} } }))))) return false;
  }
  return true;
}
const containers = await containersCanRun();

const services = {
  postgres: { maxConnections: 50, sharedPreloadLibraries: ['pg_stat_statements'] },
  redis: { maxmemory: '16mb', maxmemoryPolicy: 'volatile-lru' as const },
};

describe.each([
  { runtime: 'local' as const, skip: false },
  { runtime: 'containers' as const, skip: !containers },
])('service knobs and probes on the $runtime runtime', ({ runtime, skip }) => {
  let environment: Environment;
  beforeAll(async () => {
    if (!skip) environment = await testEnvironment({ runtime, services });
  }, 180_000);
  afterAll(async () => {
    await environment?.stop();
  });

  const probesOf = async (source: string) => {
    const info = probePlanInfo(environment.config, Object.keys(environment.services), undefined, probesSchema.parse({ postgres: { statements: 50 } }));
    return Promise.all(planProbes(info).filter((p) => p.source === source).map(async (p) => ({ group: p.group, probe: await p.open(environment) })));
  };
  const sample = (p: { sample(s: AbortSignal): Promise<ProbeReading[]> }) => p.sample(AbortSignal.timeout(3000));

  it.skipIf(skip)('Redis runs with maxmemory and its eviction policy, and the probe reports memory against it', async () => {
    const client = new Redis(environment.services.redis!.directUrl);
    try {
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'volatile-lru']);
      expect(await client.config('GET', 'maxmemory')).toEqual(['maxmemory', String(16 * 1024 * 1024)]);
    } finally {
      client.disconnect();
    }
    const [{ probe }] = await probesOf('redis');
    const readings = await sample(probe!);
    expect(probe!.facts!()).toMatchObject({ maxmemory_policy: 'volatile-lru', maxmemory: String(16 * 1024 * 1024) });
    expect(readings.find((r) => r.metric === 'memory_ratio')!.value).toBeGreaterThan(0);
  });

  it.skipIf(skip)('Postgres runs with max_connections and pg_stat_statements, created in the app database and read per query', async () => {
    const [{ probe }] = await probesOf('postgres');
    await sample(probe!);
    const app = new pg.Client({ connectionString: environment.services.postgres!.directUrl });
    await app.connect();
    try {
      await app.query('create table if not exists knob_items (id int primary key, room int, created int)');
      await app.query('create index if not exists knob_items_room_idx on knob_items (room, created)');
      await app.query('insert into knob_items select g, g % 50, g from generate_series(1, 5000) g on conflict do nothing');
      await app.query('analyze knob_items');
      for (let i = 0; i < 20; i++) await app.query('select * from knob_items where room = $1 order by created desc limit 5', [i]);
      const readings = await sample(probe!);
      expect(probe!.facts!()).toEqual({ max_connections: '50', pg_stat_statements: 'on' });
      expect(readings.find((r) => r.metric === 'connections_ratio')!.value).toBeCloseTo(1 / 50, 3);
      const calls = readings.filter((r) => r.metric === 'statement_calls' && r.labels!.query!.includes('knob_items where room'));
      expect(calls.map((r) => r.n)).toEqual([20]);

      // A plan check against the same database: the index is used, and a check that expects another one fails.
      const [uses, other] = await runPlanChecks(
        [
          { name: 'by room', sql: 'select * from knob_items where room = 7 order by created desc limit 5', expect: 'knob_items_room_idx' },
          { name: 'wrong index', sql: 'select * from knob_items where room = 7 order by created desc limit 5', expect: 'Index Scan using nope_idx' },
        ],
        environment.services.postgres!.directUrl,
      );
      expect(uses).toMatchObject({ ok: true });
      expect(uses!.plan).toContain('Execution Time');
      expect(other).toMatchObject({ ok: false });
    } finally {
      await app.end();
      await probe!.close?.();
    }
  });

  it.skipIf(skip)('the process probe reads CPU and memory of every service (a container through the engine stats)', async () => {
    const probes = await probesOf('process');
    expect(probes.map((p) => p.group).sort()).toEqual(['postgres', 'redis']);
    for (const { probe } of probes) await sample(probe!);
    await new Promise((r) => setTimeout(r, 500));
    for (const { probe } of probes) {
      const readings = await sample(probe!);
      expect(readings.find((r) => r.metric === 'rss_mb')!.value).toBeGreaterThan(1);
      expect(readings.find((r) => r.metric === 'cpu')!.value).toBeGreaterThanOrEqual(0);
    }
  });
});
