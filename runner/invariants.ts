import pg from 'pg';
import { z } from 'zod';
import { redisCall } from '../env/services/redis.ts';
import { FaultlineError } from '../lib/errors.ts';
import type { Invariant, InvariantContext } from './scenario.ts';

/**
 * An invariant written as data instead of code: a query after the load and what its
 * answer must be. They run on the direct URLs (no proxy, no fault in the way).
 *   { name: 'no double payouts', sql: 'select claim_id from payouts group by 1 having count(*) > 1', expect: 'no rows' }
 *   { name: 'queue drained', redis: ['LLEN', 'jobs'], expect: { equals: 0 } }
 *   { name: 'ledger balanced', http: 'GET /api/invariants', expect: 200 }
 */
const expectation = z.union([z.literal('no rows'), z.strictObject({ equals: z.unknown() }), z.strictObject({ rows: z.number().int().min(0) })]);
export const declarativeInvariantSchemas = {
  sql: z.strictObject({ name: z.string().min(1), sql: z.string().min(1), expect: expectation.default('no rows') }),
  redis: z.strictObject({ name: z.string().min(1), redis: z.array(z.string()).min(1), expect: z.strictObject({ equals: z.unknown() }) }),
  http: z.strictObject({ name: z.string().min(1), http: z.string().regex(/^(GET|POST|HEAD) \/\S*$/, 'expected "GET /path" (or POST, HEAD)'), expect: z.number().int().min(100).max(599).default(200) }),
};
export type DeclarativeInvariant = z.output<(typeof declarativeInvariantSchemas)[keyof typeof declarativeInvariantSchemas]>;

/** The SQL of an invariant does not compile against the database (before any load, so the run costs nothing). */
export class InvariantInvalidError extends FaultlineError {}

/** A declarative invariant as the runner's Invariant: its check, and for SQL a `prepare` that validates it up front. */
export function declarativeInvariant(spec: DeclarativeInvariant): Invariant & { prepare?(ctx: Pick<InvariantContext, 'env'>): Promise<void> } {
  if ('sql' in spec) {
    const url = (ctx: Pick<InvariantContext, 'env'>) => {
      const direct = ctx.env.DATABASE_DIRECT_URL;
      if (!direct) throw new InvariantInvalidError(`invariant "${spec.name}" queries Postgres, and the environment has no postgres service (DATABASE_DIRECT_URL is not set)`);
      return direct;
    };
    return {
      name: spec.name,
      async prepare(ctx) {
        await withClient(url(ctx), async (client) => {
          // PREPARE parses and plans the query without running it: a typo or a missing table is caught now.
          await client.query(`PREPARE faultline_invariant AS ${spec.sql}`).catch((error: Error) => {
            throw new InvariantInvalidError(`invariant "${spec.name}": its SQL does not run: ${error.message}\n    ${spec.sql}`);
          });
        });
      },
      async check(ctx) {
        const { rows } = await withClient(url(ctx), (client) => client.query(spec.sql));
        const expected = spec.expect;
        if (expected === 'no rows') return rows.length === 0 ? { ok: true, detail: 'no rows' } : { ok: false, detail: `${rows.length} row(s), e.g. ${JSON.stringify(rows.slice(0, 3))}` };
        if ('rows' in expected) return { ok: rows.length === expected.rows, detail: `${rows.length} row(s), expected ${expected.rows}` };
        const value = rows[0] ? Object.values(rows[0])[0] : undefined;
        return { ok: looselyEqual(value, expected.equals), detail: `first value ${JSON.stringify(value)}, expected ${JSON.stringify(expected.equals)}` };
      },
    };
  }
  if ('redis' in spec) {
    return {
      name: spec.name,
      async check(ctx) {
        const url = ctx.env.REDIS_DIRECT_URL;
        if (!url) return { ok: false, detail: 'the environment has no redis service (REDIS_DIRECT_URL is not set)' };
        const value = await redisCall(url, spec.redis);
        return { ok: looselyEqual(value, spec.expect.equals), detail: `${spec.redis.join(' ')} → ${JSON.stringify(value)}, expected ${JSON.stringify(spec.expect.equals)}` };
      },
    };
  }
  const [method, path] = spec.http.split(' ') as [string, string];
  return {
    name: spec.name,
    async check(ctx) {
      const base = ctx.directTarget ?? ctx.target;
      const response = await fetch(new URL(path, base), { method, signal: AbortSignal.timeout(30_000) });
      const body = (await response.text()).replace(/\s+/g, ' ').trim();
      const status = response.status;
      const ok = status === spec.expect;
      // A broken one says what the endpoint said (its first 300 characters): usually which rows, and why.
      return { ok, detail: `${spec.http} → HTTP ${status}, expected ${spec.expect}${ok || !body ? '' : `: ${body.slice(0, 300)}${body.length > 300 ? '…' : ''}`}` };
    },
  };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Equal, with numbers and numeric strings compared as numbers (Postgres counts arrive as strings, Redis counts as numbers). */
function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' && (typeof actual === 'string' || typeof actual === 'number')) return Number(actual) === expected;
  return JSON.stringify(actual) === JSON.stringify(expected);
}
