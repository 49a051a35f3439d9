import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');
// Any constant works; it only has to be the same for every instance of the app.
const MIGRATION_LOCK = 4_242_001;

// numeric(78,0) and bigint come back as strings; amounts stay strings (wei), ids become numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 10_000 });
  // An idle connection dropped by the server (restart, network fault) must not crash the app; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

/** Applies migrations/*.sql not yet applied, in name order, under an advisory lock (several instances may start at once). */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
    const done = new Set(rows.map((r) => r.name));
    const pending = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && !done.has(f)).sort();
    // All pending ones in one transaction and one round trip (a fresh database has them all pending): one
    // failing rolls all back, and the loop below then applies them one by one to name the one that failed.
    if (pending.length > 1) {
      const batch = pending.map((name) => `${readFileSync(join(MIGRATIONS_DIR, name), 'utf8')}\n;\nINSERT INTO schema_migrations (name) VALUES (${client.escapeLiteral(name)});`);
      try {
        await client.query(['BEGIN;', ...batch, 'COMMIT;'].join('\n'));
        return pending;
      } catch {
        await client.query('ROLLBACK').catch(() => {});
      }
    }
    const applied: string[] = [];
    for (const name of pending) {
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(join(MIGRATIONS_DIR, name), 'utf8'));
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
        applied.push(name);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/** Runs `fn` in a transaction on one pooled connection. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
