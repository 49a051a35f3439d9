import type { z } from 'zod';
import { defineFault, type Fault, type FaultDefinition, type FaultFamily, faultKind, type FaultSource } from '../../control/fault.ts';
import type { FarcasterUser, Hex } from '../registry.ts';

/** A fault may target one API: `hub` (/v1, Hubble's HTTP API) or `neynar` (/v2/farcaster); no target = both. */
export const FARCASTER_TARGETS = ['hub', 'neynar'];
export type Api = 'hub' | 'neynar';

/**
 * What the Farcaster hub mock's routes (handlers.ts) ask a fault, in this order:
 *   refuse → delay → the route's answer, which asks `validation` (validate routes) and
 *   `verifications` (routes that show a user's verified addresses)
 * Of one hook, the request's faults are asked newest applied first; the first that returns
 * something decides (see FaultController.consult).
 */
export interface FarcasterFaultHooks<P = any, S = any> {
  /** An HTTP error to answer instead of the route, or undefined. */
  refuse?(request: FarcasterRequest, fault: Fault<P, S>): Response | undefined;
  /** How long (ms) to hold the request before the route answers, or undefined. */
  delay?(request: FarcasterRequest, fault: Fault<P, S>): number | undefined;
  /** Overrides a genuine message validation: "invalid" (the message is said to be invalid) or "error" (the call fails). */
  validation?(request: FarcasterRequest, fault: Fault<P, S>): 'invalid' | 'error' | undefined;
  /** The verified addresses the route shows for `user`, where they differ from the registry's. */
  verifications?(user: FarcasterUser, fault: Fault<P, S>): Hex[] | undefined;
}

/** One request to a route of the hub mock, as the hooks see it. */
export interface FarcasterRequest {
  api: Api;
  request: Request;
}

const FARCASTER_FAULTS: FaultFamily = { what: 'farcaster fault', methods: false };

export type FarcasterFault = FaultDefinition & FarcasterFaultHooks;

/** A Farcaster hub mock fault: its schema and its behaviour (the hooks above). */
export function defineFarcasterFault<Own extends z.ZodObject, S = undefined>(source: FaultSource<Own, S> & FarcasterFaultHooks<z.output<Own>, S>): FarcasterFault {
  return defineFault(FARCASTER_FAULTS, source);
}

export const farcasterFaultKind = faultKind<FarcasterFault>(FARCASTER_FAULTS);
