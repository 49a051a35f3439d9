import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate } from '../../examples/reference-app/src/db.ts';
import type { Environment } from '../../env/environment.ts';
import { testEnvironment } from '../support/environment.ts';

const MIGRATIONS = readdirSync(join(import.meta.dirname, '../../examples/reference-app/migrations'))
  .filter((f) => f.endsWith('.sql'))
  .sort();

let env: Environment;
let pools: pg.Pool[] = [];

beforeAll(async () => {
  env = await testEnvironment({ services: { postgres: true } });
  pools = [createPool(env.env.DATABASE_DIRECT_URL!), createPool(env.env.DATABASE_DIRECT_URL!)];
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await env?.stop();
});

describe('reference app migrations', () => {
  it('apply every file once on a fresh database, even with two instances at once, and nothing the second time', async () => {
    const [a, b] = await Promise.all(pools.map((p) => migrate(p)));
    // One instance applies them all (in one transaction), the other waits on the lock and finds nothing to do.
    expect([a, b].sort((x, y) => y.length - x.length)).toEqual([MIGRATIONS, []]);
    const { rows } = await pools[0]!.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS);
    // The schema is really there: the seed's tables exist.
    const { rows: tables } = await pools[0]!.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('gifts', 'messages', 'app_meta')");
    expect(tables[0]!.n).toBe(3);
    expect(await migrate(pools[1]!)).toEqual([]);
  });

  it('name the file that failed, with nothing of the batch kept', async () => {
    // 001 creates its tables without IF NOT EXISTS: re-run with 002 in one batch, the batch fails and is rolled back,
    // and applied one by one the failure names 001.
    await pools[0]!.query("DELETE FROM schema_migrations WHERE name IN ('001_init.sql', '002_live_events.sql')");
    await expect(migrate(pools[0]!)).rejects.toThrow(/^Migration 001_init\.sql failed: relation "app_meta" already exists/);
    const { rows } = await pools[0]!.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.filter((m) => m !== '001_init.sql' && m !== '002_live_events.sql'));
  });
});
