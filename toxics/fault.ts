import type { z } from 'zod';
import { FaultlineError } from '../lib/errors.ts';
import type { Environment } from '../env/environment.ts';

/** The four layers of the fault model: network (Toxiproxy), http (a mock's control API), chain (Anvil RPC), process (the service's lifecycle). */
export type FaultLayer = 'network' | 'http' | 'chain' | 'process';

/** What a fault needs to reach the environment it breaks. */
export interface FaultContext {
  /** The environment's variables: `REDIS_URL`, `REDIS_DIRECT_URL`, `ANVIL_DIRECT_URL`, ... */
  env: Record<string, string>;
  toxiproxyUrl: string;
  seed: number;
  /** Options of the environment's services as configured (chain faults restore anvil's own mining). */
  serviceOptions: Record<string, any>;
  /** The running environment: its services and their lifecycle (process faults pause, kill and start them). */
  environment?: Pick<Environment, 'services' | 'config' | 'stopService' | 'startService' | 'restart' | 'pause' | 'resume'>;
}

/** What faults need from a started environment. */
export function faultContextOf(environment: Environment): FaultContext {
  return {
    env: environment.env,
    toxiproxyUrl: environment.toxiproxyUrl,
    seed: environment.seed,
    serviceOptions: environment.config.services,
    environment,
  };
}

/** An applied fault; `revert()` undoes exactly what `apply()` did and is safe to call twice. */
export interface AppliedFault {
  revert(): Promise<void>;
  /** e.g. the toxic name or the mock's fault id, for the timeline. */
  detail?: string;
}

/**
 * A named fault preset: apply → revert. One file per preset in toxics/presets/, named
 * after it, default-exporting it; the folder is the registry (toxics/index.ts).
 * @example export default definePreset({ name: 'latency', layer: 'network', description: '…', params: z.strictObject({ latency: z.number() }), apply: … })
 */
export interface FaultPreset<P = any> {
  name: string;
  layer: FaultLayer;
  description: string;
  /** Validates the `params` of a timeline entry; errors carry the dotted path into it. */
  params: z.ZodType<P>;
  /**
   * Faults that set the same state of their target (the proxy's enabled flag, the process's
   * run state, anvil's mining mode) cannot overlap on one target: reverting one would undo
   * the other while it is still reported in force. Faults sharing this key are refused
   * when their windows overlap. Absent: any number may overlap (toxics stack).
   */
  exclusive?: string;
  apply(ctx: FaultContext, target: string, params: P, info: ApplyInfo): Promise<AppliedFault>;
  /**
   * Checks that need the target too (e.g. which faults that mock knows, or that the
   * service exists), before anything starts. Returns problems as [path inside the
   * timeline entry, what was expected].
   */
  validate?(target: string, params: P, services: TargetInfo): Array<[path: string, message: string]>;
}

/** What validation knows of the environment a timeline will run in: its services and Toxiproxy proxies. */
export interface TargetInfo {
  /** Service names, with each service's own faults (a mock's http layer). */
  services: Record<string, { faults?: Record<string, { params: z.ZodType }> }>;
  /** Every Toxiproxy proxy name: the services' own and their extra endpoints (rpc-infura, ...). */
  proxies: string[];
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
export class FaultError extends FaultlineError {}

/** The direct (un-proxied) URL of a service, from its `X_URL` variable's `X_DIRECT_URL` twin. */
export function directUrlOf(ctx: FaultContext, envVar: string): string {
  const url = ctx.env[envVar.replace(/_URL$/, '_DIRECT_URL')];
  if (!url) throw new FaultError(`${envVar.replace(/_URL$/, '_DIRECT_URL')} is not set: is that service part of the environment?`);
  return url;
}

type Check = NonNullable<FaultPreset['validate']>;

/** Network faults act on a Toxiproxy proxy: the service's own, or one of its endpoints (rpc-infura). */
export const proxyTarget: Check = (target, _p, { proxies }) => (proxies.includes(target) ? [] : [['target', `no Toxiproxy proxy "${target}" in the environment; proxies are ${proxies.join(', ')}`]]);

/** Process faults act on a service of the environment. */
export const serviceTarget: Check = (target, _p, { services }) =>
  services[target] ? [] : [['target', `no service "${target}" in the environment; it has ${Object.keys(services).join(', ')}`]];

/** Chain faults act on the anvil service. */
export const anvilTarget: Check = (target, _p, { services }) =>
  target !== 'anvil' ? [['target', `chain faults act on the anvil service, not "${target}"`]] : services.anvil ? [] : [['target', 'the environment has no anvil service; enable it under `services`']];

/** The environment a process fault acts on, or a FaultError saying it needs one. */
export function environmentOf(ctx: FaultContext, fault: string): NonNullable<FaultContext['environment']> {
  if (!ctx.environment) throw new FaultError(`${fault} acts on a service's process, and this run has no environment handle to do it with`);
  return ctx.environment;
}
