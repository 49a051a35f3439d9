import type { ServiceContext, ServiceDefinition } from '../service.ts';
import type { EnvironmentState, ServiceRecord } from '../state.ts';

export type RuntimeName = 'local' | 'containers';

/** What the environment asks a runtime to start: one service, with its options. */
export interface StartRequest {
  definition: ServiceDefinition;
  options: any;
  ctx: ServiceContext;
  /** Where the service's output goes (its tail is shown when start-up fails). */
  logFile: string;
  /**
   * Only for Toxiproxy: every proxy the environment will create. A containerised
   * Toxiproxy can only listen where ports were published when it started.
   */
  proxies?: string[];
  signal?: AbortSignal;
}

/** A service a runtime has started (not necessarily ready yet: the environment probes it). */
export interface StartedUnit {
  /** Where the service answers on 127.0.0.1. */
  port: number;
  /** What Toxiproxy dials to reach it: "127.0.0.1:5432" locally, "faultline-ab12-postgres:5432" in a container network. */
  upstream: string;
  /** What env.json records so any process can stop it later: a process group or a container. */
  record: Pick<ServiceRecord, 'process' | 'container'>;
  /** Settles if the service exits before it is stopped. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops it at once (start-up failed or timed out). */
  kill(): Promise<void>;
  readyTimeoutMs: number;
}

/**
 * How services run: `local` processes or `containers`. Services say *what* runs
 * (ServiceDefinition); a runtime says *how*, so neither knows about the other's details.
 */
export interface Runtime {
  readonly name: RuntimeName;
  start(request: StartRequest): Promise<StartedUnit>;
  /** Where Toxiproxy should listen for `proxy` (as Toxiproxy sees it) and the port that is on 127.0.0.1. */
  proxyAddress(proxy: string): Promise<{ listen: string; port: number }>;
  isAlive(record: ServiceRecord): Promise<boolean>;
  /** Stops one service, cleanly or `kill`ed (SIGKILL: a crash). Its record stays, so `relaunch` can start it again. */
  stop(record: ServiceRecord, options: { kill?: boolean }): Promise<void>;
  /** Starts a service again exactly as it was (same command, port and data), stopping it first if it still runs. */
  relaunch(record: ServiceRecord): Promise<StartedUnit>;
  /** Freezes every process of the service (SIGSTOP, the cgroup freezer): connections stay open, nothing answers. */
  pause(record: ServiceRecord): Promise<void>;
  /** Thaws a paused service; a service that is not paused is left as it is. */
  resume(record: ServiceRecord): Promise<void>;
  /** Stops everything `state` records, from any process, also after the process that started it was killed. */
  teardown(state: EnvironmentState): Promise<void>;
  /** Runtime facts for env.json (the containers runtime's label and network). */
  describe?(): Pick<EnvironmentState, 'containers'>;
}
