import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { durationSchema } from '../lib/durations.ts';
import { HttpStatusError } from '../lib/http.ts';
import { formatIssue, portSchema } from '../lib/schema.ts';
import type { Dependency, ServiceDefinition, ServiceEndpoint } from './service.ts';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name, e.g. "PORT"');
const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', `expected a function (${what})`);

const longDependency = z.strictObject({
  service: z.string('expected the name of a service, e.g. "llm"').min(1),
  condition: z.enum(['ready', 'started'], 'expected "ready" (answers its probe; the default) or "started" (launched, its URL exists)').default('ready'),
});

/**
 * One dependsOn entry: a name, or `{ service, condition }`. Told apart by type, so a
 * mistake in the long form is reported at its field, not as "Invalid input" of a union.
 */
const dependencyEntry: z.ZodType<Dependency, unknown> = z.unknown().transform((value, ctx) => {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: `expected a service name ("postgres") or { service: "llm", condition: "started" }, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  const parsed = longDependency.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: formatIssue(issue).replace(/^[^:]*: /, ''), path: issue.path } as never);
  return z.NEVER;
});

/** What an app's `env` mapping receives: every dependency's proxied endpoint, by service name. */
export type EndpointMap = Record<string, ServiceEndpoint>;

/**
 * Options of a service that is a team's own program (`command`), declared in
 * faultline.config.ts under any name. The bundled reference app is one.
 */
export const commandOptionsSchema = z.strictObject({
  /** A shell command line, or argv. Runs in `cwd` (default: the config file's folder). */
  command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  cwd: z.string().min(1).optional(),
  /** A fixed port, or `{ env: 'HTTP_PORT' }`: a free port handed to the app in that variable (default `{ env: 'PORT' }`). */
  port: z.union([portSchema, z.strictObject({ env: envName, port: portSchema.optional() })]).default({ env: 'PORT' }),
  /** Variables for the app: fixed values, or `(endpoints) => ({ PG_CONNECTION: endpoints.postgres.url, ... })`. It also gets the dotenv variables (DATABASE_URL, REDIS_URL, ...). */
  env: z.union([z.record(envName, z.string()), fn<(endpoints: EndpointMap) => Record<string, string>>('(endpoints) => ({ NAME: value })')]).optional(),
  /** Readiness: an HTTP path probed until 2xx (`'/health'`), `{ tcp: true }` (a connect, the default) or `{ http: '/health', status: 204 }`. */
  health: z.union([z.string().startsWith('/', 'expected an HTTP path like "/health"'), z.strictObject({ http: z.string().startsWith('/'), status: z.number().int().optional() }), z.strictObject({ tcp: z.literal(true) })]).default({ tcp: true }),
  /**
   * Services launched before it (and stopped after it). A name waits until that service is
   * ready (it answers its probe): what the app uses as it starts (migrations against
   * postgres). `{ service: 'llm', condition: 'started' }` waits only until its URL exists
   * (launched, proxy in place): for what the app only calls while serving requests.
   */
  dependsOn: z.array(dependencyEntry).default([]),
  /** How long start-up may take (migrations, seeding). Default 60 s. */
  readyTimeout: durationSchema.default(60_000),
  /** The variable the URL goes in (default `<NAME>_URL`, e.g. SHOP_URL). */
  envVar: envName.optional(),
  /**
   * The app's switchable mitigations, so a run can turn one off (`--mitigations -cache-fallback`):
   * the variable the app reads, what it is by default, and the names with a line each.
   */
  mitigations: z
    .strictObject({
      env: envName.default('FAULTLINE_MITIGATIONS'),
      value: z.string().default('all'),
      names: z.union([z.array(z.string().min(1)), z.record(z.string().min(1), z.string())]).default([]),
    })
    .optional(),
  /** Signal for a clean stop (default SIGTERM). */
  stopSignal: z.enum(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP']).default('SIGTERM'),
});
export type CommandOptions = z.output<typeof commandOptionsSchema>;

/** True for a config entry that declares a program rather than configuring a built-in service. */
export const isCommandEntry = (value: unknown): boolean => typeof value === 'object' && value !== null && 'command' in value;

/** The variable a command service's URL goes in: SHOP_URL for `shop`. */
export const commandEnvVar = (name: string, options: Pick<CommandOptions, 'envVar'>) => options.envVar ?? `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;

/**
 * A team's own program as a service: launched like every other (detached, logged to
 * `.faultline/logs/<name>.log`, stopped with its whole process tree), wired to the
 * *proxied* endpoints of its dependencies, reached through its own Toxiproxy proxy,
 * and ready when its health check passes.
 * @example services: { shop: { command: 'node server.js', port: { env: 'HTTP_PORT' }, health: '/health', dependsOn: ['postgres', { service: 'llm', condition: 'started' }] } }
 */
export function commandService(name: string, options: CommandOptions): ServiceDefinition<CommandOptions> {
  return {
    name,
    description: `your app: ${typeof options.command === 'string' ? options.command : options.command.join(' ')}`,
    options: commandOptionsSchema as z.ZodType<CommandOptions>,
    envVar: commandEnvVar(name, options),
    dependsOn: (o) => o.dependsOn,
    app: { mitigations: options.mitigations && { env: options.mitigations.env, names: options.mitigations.names } },
    url: (_o, host, port) => `http://${host}:${port}`,
    readinessHint: (o, port) =>
      typeof o.port === 'object'
        ? `Faultline gave it port ${port} in ${o.port.env}: does it listen there, on 127.0.0.1 (or set \`port\` to the one it uses)?`
        : `Does it listen on port ${port}, on 127.0.0.1?`,

    async prepare(ctx, o, port) {
      const mapped = typeof o.env === 'function' ? o.env(ctx.endpoints) : (o.env ?? {});
      for (const [key, value] of Object.entries(mapped)) {
        if (typeof value !== 'string') throw new TypeError(`services.${name}.env: ${key} must be a string, got ${typeof value}`);
      }
      // A command line runs in a shell; the whole process group is signalled, so its children stop with it.
      const [command, args] = typeof o.command === 'string' ? ['/bin/sh', ['-c', o.command]] : [o.command[0]!, o.command.slice(1)];
      return {
        command,
        args,
        cwd: resolve(ctx.rootDir, o.cwd ?? '.'),
        env: {
          ...ctx.env,
          ...mapped,
          ...(typeof o.port === 'object' ? { [o.port.env]: String(port) } : {}),
          ...(o.mitigations ? { [o.mitigations.env]: o.mitigations.value } : {}),
        },
        stopSignal: o.stopSignal,
        readyTimeoutMs: o.readyTimeout,
      };
    },

    async probe(url, o) {
      if (typeof o.health === 'object' && 'tcp' in o.health) {
        await tcpConnect(url);
        return 'listening';
      }
      const [path, status] = typeof o.health === 'string' ? [o.health, undefined] : [o.health.http, o.health.status];
      const response = await fetch(new URL(path, url), { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      const ok = status === undefined ? response.ok : response.status === status;
      if (!ok) throw new HttpStatusError('GET', path, response.status, body);
      return `GET ${path} ${response.status}`;
    },
  };
}

/** Resolves once a TCP connection to the URL's host:port succeeds. */
export function tcpConnect(url: string, timeoutMs = 1000): Promise<void> {
  const { hostname, protocol, port: given } = new URL(url);
  const port = given || (protocol === 'https:' || protocol === 'wss:' ? '443' : '80');
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no TCP connection to ${hostname}:${port} within ${timeoutMs} ms`));
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
    socket.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
      socket.destroy();
      resolve();
    });
  });
}

/**
 * What is wrong with a mitigations value (`all`, `none`, `a,b` to keep only those,
 * `-a,-b` to drop those, `none,+a`), given the names the app declares; empty when fine
 * or when the app declares no names.
 */
export function mitigationProblems(value: string, names: string[] | Record<string, string>): string[] {
  const known = Array.isArray(names) ? names : Object.keys(names);
  if (known.length === 0) return [];
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t && t !== 'all' && t !== 'none')
    .map((t) => t.replace(/^[-+]/, ''))
    .filter((name) => !known.includes(name))
    .map((name) => `unknown mitigation "${name}"; the app declares ${known.join(', ')} (use all, none, a list to keep, or -name to drop one)`);
}
