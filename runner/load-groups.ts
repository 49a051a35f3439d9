import { z } from 'zod';
import { durationSchema } from '../lib/durations.ts';

/** The k6 executors a load group may use. */
export const EXECUTORS = ['constant-arrival-rate', 'ramping-arrival-rate', 'ramping-vus', 'constant-vus', 'shared-iterations', 'per-vu-iterations'] as const;
export type Executor = (typeof EXECUTORS)[number];

export const ARRIVAL_RATE: readonly Executor[] = ['constant-arrival-rate', 'ramping-arrival-rate'];
export const VU_BASED: readonly Executor[] = ['constant-vus', 'ramping-vus'];
export const ITERATIONS: readonly Executor[] = ['shared-iterations', 'per-vu-iterations'];

const phaseName = z.string().regex(/^[A-Za-z][\w-]*$/, 'expected a phase name');

/**
 * What a phase sets for a group: its arrival rate (arrival-rate executors) or its VUs
 * (VU executors), reached with a step at the phase's start (default), a ramp over the whole
 * phase (`ramp: true`) or over a given time (`ramp: '5s'`). Phases that set nothing keep
 * the value before them.
 */
export const phaseTargetSchema = z.strictObject({
  rate: z.number().min(0).optional(),
  vus: z.number().int().min(0).optional(),
  ramp: z.union([z.literal(true), durationSchema]).optional(),
});

const stageSchema = z.strictObject({ duration: durationSchema, target: z.number().min(0) });

/**
 * One load group: one k6 scenario with its own function of the script, executor and tags
 * (e.g. `readers` at 50 rps, `writers` at 5 rps, `listeners` holding sockets). Numbers are the
 * baseline profile's; other profiles scale them (see profiles.ts).
 */
export const loadGroupSchema = z.strictObject({
  /** The script's exported function this group runs; default: the function named like the group, else `default`. */
  exec: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'expected the name of a function the script exports').optional(),
  executor: z.enum(EXECUTORS),
  /** Iterations per second (arrival-rate executors; the start rate of a ramping one). */
  rate: z.number().min(0).optional(),
  /** k6's own stages, from the group's start (ramping executors); or shape it per phase with `phases`. */
  stages: z.array(stageSchema).min(1).optional(),
  /** VUs (VU and iteration executors); pre-allocated VUs of an arrival-rate executor. */
  vus: z.number().int().positive().optional(),
  /** Most VUs an arrival-rate executor may start when iterations take longer. */
  maxVUs: z.number().int().positive().optional(),
  /** Iterations of an iterations executor (per VU for per-vu-iterations). */
  iterations: z.number().int().positive().optional(),
  /** Sockets the group holds, spread over its VUs (`faultline.connections()` in the script). */
  connections: z.number().int().min(0).optional(),
  /** Services (or URLs) the group's requests and sockets go to, spread over them; default: the run's target. */
  targets: z.array(z.string().min(1)).min(1).optional(),
  /** When the group starts: a phase name or an offset from the time origin. */
  startTime: z.union([z.number().min(0), z.string().min(1)]).optional(),
  tags: z.record(z.string(), z.string()).default({}),
  env: z.record(z.string(), z.string()).default({}),
  /** Per phase: the rate or VUs it sets, translated into k6 stages on the shared time origin. */
  phases: z.record(phaseName, phaseTargetSchema).default({}),
  gracefulStop: durationSchema.optional(),
  /** Longest an iterations executor may run; default twice the run, at least a minute. */
  maxDuration: durationSchema.optional(),
});

export type LoadGroup = z.output<typeof loadGroupSchema>;
export type LoadGroupInput = z.input<typeof loadGroupSchema>;

/** A profile's numbers for one group: a factor of its own, or absolute values. */
export const groupOverrideSchema = z.strictObject({
  scale: z.number().positive().optional(),
  rate: z.number().min(0).optional(),
  vus: z.number().int().positive().optional(),
  maxVUs: z.number().int().positive().optional(),
  iterations: z.number().int().positive().optional(),
  connections: z.number().int().min(0).optional(),
});
export type GroupOverride = z.output<typeof groupOverrideSchema>;
