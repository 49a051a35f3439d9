import type { z } from 'zod';
import type { ResolvedConfig } from '../env/config.ts';
import type { Environment } from '../env/environment.ts';

/** The four layers of the fault model (see DESIGN.md "The fault model"). */
export type FaultLayer = 'network' | 'http' | 'chain' | 'process';

/** What a fault needs to reach the environment it breaks. */
export interface FaultContext {
  /** The environment's variables: `REDIS_URL`, `REDIS_DIRECT_URL`, `ANVIL_DIRECT_URL`, ... */
  env: Record<string, string>;
  toxiproxyUrl: string;
  /** Process id of each service (the leader of its process group), from the environment state. */
  pids: Record<string, number>;
  /** Container id of each service the containers runtime runs. */
  containers?: Record<string, string>;
  seed: number;
  /** The environment's config: process faults relaunch services with it. */
  config?: ResolvedConfig;
  /** The environment's state directory (env.json): process faults update pids there. */
  stateDir?: string;
}

/** What faults need from a started environment: its variables, Toxiproxy, and each service's pid or container. */
export function faultContextOf(environment: Environment, config?: ResolvedConfig): FaultContext {
  const services = Object.values(environment.services);
  return {
    env: environment.env,
    toxiproxyUrl: environment.toxiproxyUrl,
    pids: Object.fromEntries(services.map((s) => [s.name, s.pid])),
    containers: Object.fromEntries(services.flatMap((s) => (s.containerId ? [[s.name, s.containerId]] : []))),
    seed: environment.seed,
    config,
    stateDir: environment.stateDir,
  };
}

/** An applied fault; `revert()` undoes exactly what `apply()` did and is safe to call twice. */
export interface AppliedFault {
  revert(): Promise<void>;
  /** e.g. the toxic name or the mock's fault id, for the timeline. */
  detail?: string;
}

/**
 * A named fault preset: apply → revert. One file per preset, registered in toxics/index.ts.
 * @example definePreset({ name: 'latency', layer: 'network', params: z.object({ latency: z.number() }), apply: ... })
 */
export interface FaultPreset<P = any> {
  name: string;
  layer: FaultLayer;
  description: string;
  /** Validates the `params` of a timeline entry; errors carry the dotted path into it. */
  params: z.ZodType<P>;
  apply(ctx: FaultContext, target: string, params: P, info: ApplyInfo): Promise<AppliedFault>;
  /**
   * Checks that need the target too (e.g. which faults that mock knows), before anything
   * starts. Returns problems as [path inside the timeline entry, what was expected].
   */
  validate?(target: string, params: P): Array<[path: string, message: string]>;
}

/** About this application of a fault. */
export interface ApplyInfo {
  /** How long the timeline keeps it applied; undefined means to the end of the run. */
  durationMs?: number;
}

export function definePreset<P>(preset: FaultPreset<P>): FaultPreset<P> {
  return preset;
}

/** Raised when a fault cannot be applied or reverted; the message names the fault and the target. */
export class FaultError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FaultError';
  }
}

/** The direct (un-proxied) URL of a service, from its `X_URL` variable's `X_DIRECT_URL` twin. */
export function directUrlOf(ctx: FaultContext, envVar: string): string {
  const url = ctx.env[envVar.replace(/_URL$/, '_DIRECT_URL')];
  if (!url) throw new FaultError(`${envVar.replace(/_URL$/, '_DIRECT_URL')} is not set: is that service part of the environment?`);
  return url;
}
