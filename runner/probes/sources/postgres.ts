import pg from 'pg';
import type { Environment } from '../../../env/environment.ts';
import { postgresAdminUrl } from '../../../env/services/postgres.ts';
import { CounterDeltas } from '../counters.ts';
import { defineProbeSource, type MetricInfo, type OpenProbe, type ProbeReading } from '../source.ts';

const METRICS: Record<string, MetricInfo> = {
  connections: { kind: 'gauge', unit: '', description: 'client connections (the probe not counted)' },
  connections_ratio: { kind: 'gauge', unit: '%', description: 'connections / max_connections' },
  connections_pool: { kind: 'gauge', unit: '%', description: 'connections / the app pool size (probes.postgres.poolSize)' },
  active: { kind: 'gauge', unit: '', description: 'connections running a query' },
  tps: { kind: 'counter', unit: '/s', description: 'transactions committed or rolled back (the probe not counted)' },
  waiting_locks: { kind: 'gauge', unit: '', description: 'lock requests not granted (lock contention)' },
  statement_calls: { kind: 'counter', unit: '/s', description: 'pg_stat_statements calls, per query (label query)' },
  statement_mean_ms: { kind: 'ratio', unit: 'ms', description: 'pg_stat_statements mean time over the interval, per query' },
  statement_p95_ms: { kind: 'gauge', unit: 'ms', description: 'pg_stat_statements mean + 1.645 × stddev (since reset), per query' },
};

/** One round trip per tick: everything but pg_stat_statements in one statement (one transaction, which tps leaves out). */
const STATS_SQL = `select
  (select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid())::int as connections,
  (select count(*) from pg_stat_activity where backend_type = 'client backend' and state = 'active' and pid <> pg_backend_pid())::int as active,
  current_setting('max_connections')::int as max_connections,
  (select coalesce(sum(xact_commit + xact_rollback), 0) from pg_stat_database)::float8 as xacts,
  (select count(*) from pg_locks where not granted)::int as waiting_locks,
  exists (select 1 from pg_extension where extname = 'pg_stat_statements') as statements`;

const STATEMENTS_SQL = `select queryid::text as id, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as query, calls::float8 as calls,
  total_exec_time as total_ms, mean_exec_time as mean_ms, stddev_exec_time as stddev_ms
  from pg_stat_statements where query not like '%pg_stat_%' order by total_exec_time desc limit $1`;

/** Postgres on the direct URL: connections vs max_connections (and the app's pool), tps, waiting locks, pg_stat_statements. */
export default defineProbeSource({
  name: 'postgres',
  description: 'Postgres: connections vs max_connections and the app pool, tps, waiting locks, pg_stat_statements per query when enabled',
  plan(info) {
    const service = info.services.postgres;
    if (!service) return [];
    return [{ group: 'postgres', source: 'postgres', metrics: METRICS, open: (environment: Environment) => openPostgres(environment, service.options, info.probes.postgres) }];
  },
});

function openPostgres(environment: Environment, options: Record<string, unknown>, settings: { poolSize?: number; statements: number }): OpenProbe {
  const deltas = new CounterDeltas();
  let client: pg.Client | undefined;
  let facts: Record<string, string> = {};
  const connect = async () => {
    const url = postgresAdminUrl(environment.services.postgres!.directUrl, options);
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000, query_timeout: 900, application_name: 'faultline-probe' });
    c.on('error', () => {}); // a dropped connection shows as the next tick's gap
    await c.connect();
    return c;
  };
  return {
    facts: () => facts,
    async sample(signal) {
      client ??= await connect();
      const current = client;
      // A frozen server never answers: the deadline drops the connection, the next tick opens another.
      const onAbort = () => {
        if (client === current) client = undefined;
        void current.end().catch(() => {});
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const row = (await current.query(STATS_SQL)).rows[0] as { connections: number; active: number; max_connections: number; xacts: number; waiting_locks: number; statements: boolean };
        const seconds = deltas.tick();
        facts = { max_connections: String(row.max_connections), pg_stat_statements: row.statements ? 'on' : 'off' };
        const readings: ProbeReading[] = [
          { metric: 'connections', value: row.connections },
          { metric: 'connections_ratio', value: round(row.connections / row.max_connections, 4) },
          { metric: 'active', value: row.active },
          { metric: 'waiting_locks', value: row.waiting_locks },
        ];
        if (settings.poolSize) readings.push({ metric: 'connections_pool', value: round(row.connections / settings.poolSize, 4) });
        const xacts = deltas.delta('xacts', row.xacts);
        // The probe's own statements (one, or two with pg_stat_statements) are transactions too.
        if (xacts !== undefined && seconds) {
          const n = Math.max(0, xacts - (row.statements ? 2 : 1));
          readings.push({ metric: 'tps', value: round(n / seconds), n });
        }
        if (row.statements && settings.statements > 0) {
          const { rows } = await current.query(STATEMENTS_SQL, [settings.statements]);
          for (const s of rows as Array<{ id: string; query: string; calls: number; total_ms: number; mean_ms: number; stddev_ms: number }>) {
            const labels = { query: s.query };
            const calls = deltas.delta(`calls:${s.id}`, s.calls);
            const total = deltas.delta(`total:${s.id}`, s.total_ms);
            if (calls !== undefined && seconds) readings.push({ metric: 'statement_calls', labels, value: round(calls / seconds), n: calls });
            if (calls && total !== undefined) readings.push({ metric: 'statement_mean_ms', labels, value: round(total / calls, 3), n: total, d: calls });
            readings.push({ metric: 'statement_p95_ms', labels, value: round(s.mean_ms + 1.645 * s.stddev_ms, 3) });
          }
        }
        return readings;
      } catch (error) {
        onAbort();
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
