import type { z } from 'zod';
import type { Toolbox } from './tools/toolbox.ts';

/**
 * The one interface every service implements. A service says *what* runs and how to
 * tell it is ready; a runtime (env/runtimes/) decides *how* it runs (a local process
 * today, a container later), so adding a runtime never touches the services.
 */
export interface ServiceDefinition<Options = any> {
  /** Name used in faultline.config.ts, the state file and the proxy. */
  name: string;
  description: string;
  /** Schema of this service's options in faultline.config.ts. */
  options: z.ZodType<Options>;
  /** Environment variable that carries the proxied URL in .env.faultline (the direct one gets `_DIRECT` before `_URL`). */
  envVar: string;
  /**
   * Variables it fills only when no other service sets them: anvil answers JSON-RPC
   * itself, so RPC_URL points at it until a simulated provider (rpc) fronts it.
   */
  fallbackEnvVars?: string[];
  /**
   * Services launched before this one: by name, waited for until ready (the RPC gateway
   * needs anvil answering), or `{ service, condition: 'started' }`, waited for only until
   * its URL exists (launched, proxy in place), for a service it calls only while serving.
   */
  dependsOn?: (options: Options) => Dependency[];
  /** The URL a client uses to reach the service at host:port. */
  url(options: Options, host: string, port: number): string;
  /**
   * Extra Toxiproxy proxies beyond the default one named after the service, each with its
   * own env var and URL path: e.g. one proxy per simulated RPC provider, so that one
   * provider can go down while another stays up.
   */
  endpoints?(options: Options): Endpoint[];
  /** Prepare data directories and describe the process to launch on `port`. */
  prepare(ctx: ServiceContext, options: Options, port: number): Promise<LaunchSpec>;
  /**
   * How the containers runtime runs it. A service without this stays a local process
   * under every runtime (the mocks do).
   */
  container?(ctx: ServiceContext, options: Options): ContainerSpec;
  /** A real readiness probe (a query, a PING, an RPC call). Resolves to the server's version; throws until ready. */
  probe(url: string, options: Options): Promise<string>;
  /** What to check when it never answers its probe on `port` (an app that ignores the port it was given). */
  readinessHint?(options: Options, port: number): string;
  /** Runs once after the first successful probe: create databases, run migrations. */
  afterReady?(ctx: ServiceContext, options: Options, url: string): Promise<void>;
  /** Puts it back as configured after faults a killed run left behind (a mock's faults cleared, anvil's mining restored). */
  reset?(url: string, options: Options): Promise<void>;
  /** Set for a system under test (a team's app): what a run may switch in it. */
  app?: { mitigations?: MitigationsSpec };
  /** A simulated third party's own faults (the http layer), by type, applied through its control API. */
  faults?: Record<string, { type: string; description: string; params: z.ZodType }>;
}

/**
 * One entry of dependsOn: a service name (wait until it is ready), or the long form with
 * the condition, as in Compose's `depends_on` (service_healthy / service_started).
 * @example ['postgres', { service: 'llm', condition: 'started' }]
 */
export type Dependency = string | { service: string; condition?: DependencyCondition };

/** `ready`: answered its probe (and ran its afterReady); `started`: launched, its URL and proxy exist, maybe not answering yet. */
export type DependencyCondition = 'ready' | 'started';

/** dependsOn entries in their long form, the condition filled in. */
export function dependencies(definition: Pick<ServiceDefinition, 'dependsOn'>, options: unknown): Array<{ service: string; condition: DependencyCondition }> {
  return (definition.dependsOn?.(options) ?? []).map((d) => (typeof d === 'string' ? { service: d, condition: 'ready' } : { service: d.service, condition: d.condition ?? 'ready' }));
}

/** How an app's mitigations are switched: the variable it reads, and its mitigations' names (with a line each). */
export interface MitigationsSpec {
  env: string;
  names: string[] | Record<string, string>;
}

/**
 * A started service as its dependents see it: through its Toxiproxy proxy (`url`, `host`,
 * `port`), or bypassing it (`directUrl`). URL parts a client may want separately
 * (Postgres's user, password, database) are split out.
 */
export interface ServiceEndpoint {
  url: string;
  host: string;
  port: number;
  directUrl: string;
  user?: string;
  password?: string;
  /** The URL's path without the leading slash (Postgres: the database). */
  database?: string;
}

export interface ServiceContext {
  /** Scratch directory owned by this service for this environment; removed on down. */
  dataDir: string;
  /** Long-lived cache shared by all environments (e.g. the Postgres template cluster). */
  cacheDir: string;
  seed: number;
  tools: Toolbox;
  /** Direct URLs of services launched earlier (see dependsOn), ready or not. */
  upstreams: Record<string, string>;
  /**
   * The dotenv variables of the services launched earlier (dependsOn ones included, `started` ones maybe not ready yet): proxied
   * `X_URL`s and their `X_DIRECT_URL` twins, endpoints too. An app under test takes these,
   * so that its traffic goes through Toxiproxy.
   */
  env: Record<string, string>;
  /** The endpoints of the services started earlier, by name (what an app's `env` mapping receives). */
  endpoints: Record<string, ServiceEndpoint>;
  /** Directory relative paths in the config are resolved against. */
  rootDir: string;
}

export interface Endpoint {
  /** Toxiproxy proxy name, e.g. "rpc-infura". */
  proxy: string;
  /** Env var for the proxied URL, e.g. "RPC_URL"; the direct one gets `_DIRECT` before `_URL`. */
  envVar: string;
  /** Appended to the service URL, e.g. "/infura/key1". */
  path?: string;
}

/** A runtime-agnostic description of a server process. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Postgres refuses to run as root: run it as this unprivileged user instead. */
  user?: { uid: number; gid: number };
  /** Signal for a fast, clean stop (postgres: SIGINT, "fast shutdown"). Defaults to SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** How long the readiness probe may take before start-up fails. */
  readyTimeoutMs?: number;
}

/** A runtime-agnostic description of a server in a container (the containers runtime). */
export interface ContainerSpec {
  /**
   * The official image with a pinned tag. `FAULTLINE_<NAME>_IMAGE` or the config's
   * `containers.images.<name>` override it (e.g. a mirror, or a locally built stand-in).
   */
  image: string;
  /** The port the server listens on inside the container. */
  port: number;
  env?: Record<string, string>;
  /** Replaces the image's entrypoint (e.g. ["anvil"] in Foundry's `/bin/sh -c` image). */
  entrypoint?: string[];
  /** Replaces the image's CMD. */
  command?: string[];
  /** How long the readiness probe may take once the container runs. */
  readyTimeoutMs?: number;
  /**
   * Arguments appended to `command` to listen on host:port instead, when the container
   * shares the host's network (Toxiproxy, when it must reach local processes).
   */
  hostNetworkArgs?(host: string, port: number): string[];
}

/** Identity helper that keeps a service definition's option type. */
export function defineService<O>(definition: ServiceDefinition<O>): ServiceDefinition<O> {
  return definition;
}
