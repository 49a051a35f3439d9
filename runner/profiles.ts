import { z } from 'zod';
import { type GroupOverride, groupOverrideSchema } from './load-groups.ts';

/** A load profile: how much load, and the service levels it must meet. */
export interface Profile {
  /** Requests to send (at least; a timed run spreads them over its phases). */
  requests: number;
  /** Concurrent virtual users. */
  concurrency: number;
  /** Required share of successful requests, 0..1. */
  success: number;
  p95TotalMs: number;
  p95FirstTokenMs: number;
  /** Arrival rate for timed runs, requests per second; default requests / run duration. */
  rps?: number;
  /** Load groups: the factor every group's rates, VUs, iterations and connections are multiplied by (their numbers are the baseline's). */
  scale?: number;
  /** Load groups: one group's own factor or absolute numbers, e.g. `{ listeners: { connections: 200 } }`. */
  groups?: Record<string, GroupOverride>;
}

/** From the load-test plans Faultline is built from: smoke, baseline, stress. */
export const DEFAULT_PROFILES: Record<string, Profile> = {
  smoke: { requests: 20, concurrency: 2, success: 1, p95TotalMs: 8000, p95FirstTokenMs: 2500, scale: 0.2 },
  baseline: { requests: 100, concurrency: 10, success: 0.99, p95TotalMs: 6000, p95FirstTokenMs: 2000, scale: 1 },
  stress: { requests: 300, concurrency: 30, success: 0.95, p95TotalMs: 10_000, p95FirstTokenMs: 3500, scale: 3 },
};

export const profileSchema = z.strictObject({
  requests: z.number().int().positive(),
  concurrency: z.number().int().positive(),
  success: z.number().min(0).max(1),
  p95TotalMs: z.number().positive(),
  p95FirstTokenMs: z.number().positive(),
  rps: z.number().positive().optional(),
  scale: z.number().positive().optional(),
  groups: z.record(z.string(), groupOverrideSchema).optional(),
});

/** A scenario's profile entries may override single fields of a default profile, or define a new one in full. */
export const profileOverrideSchema = profileSchema.partial();

/** The placeholders a threshold expression may use, e.g. `p(95)<{p95TotalMs}`. */
export function profileVariables(profile: Profile): Record<string, number> {
  return {
    p95TotalMs: profile.p95TotalMs,
    p95FirstTokenMs: profile.p95FirstTokenMs,
    maxErrorRate: Number((1 - profile.success).toFixed(6)),
    success: profile.success,
    requests: profile.requests,
    concurrency: profile.concurrency,
  };
}
