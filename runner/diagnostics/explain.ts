import pg from 'pg';
import type { PlanCheckEntry } from './explain-schema.ts';
import type { PlanCheck } from './result.ts';

/**
 * Compiles each plan check's query against the database before any load (plain EXPLAIN,
 * nothing runs), so a typo costs nothing. Returns "explain.N.sql: ..." problems.
 */
export async function preparePlanChecks(entries: PlanCheckEntry[], databaseUrl: string): Promise<string[]> {
  if (entries.length === 0) return [];
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const problems: string[] = [];
    for (const [i, e] of entries.entries()) {
      await client.query(`EXPLAIN ${e.sql}`).catch((error: Error) => problems.push(`explain.${i}.sql: the database refused it: ${error.message}`));
    }
    return problems;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Each query's plan after the load (EXPLAIN ANALYZE in a transaction that is rolled back,
 * so a statement that writes leaves nothing behind): it holds when the plan contains `expect`.
 */
export async function runPlanChecks(entries: PlanCheckEntry[], databaseUrl: string): Promise<PlanCheck[]> {
  if (entries.length === 0) return [];
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    return entries.map((e) => ({ ...e, ok: false, plan: `could not connect: ${(error as Error).message}` }));
  }
  try {
    const checks: PlanCheck[] = [];
    for (const e of entries) {
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, FORMAT TEXT) ${e.sql}`);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        checks.push({ ...e, ok: plan.includes(e.expect), plan });
      } catch (error) {
        checks.push({ ...e, ok: false, plan: `EXPLAIN failed: ${(error as Error).message}` });
      } finally {
        await client.query('ROLLBACK').catch(() => {});
      }
    }
    return checks;
  } finally {
    await client.end().catch(() => {});
  }
}
