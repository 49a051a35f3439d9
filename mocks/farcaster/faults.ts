import { z } from 'zod';
import { defineFault, type FaultDefinition, faultRate } from '../control/faults.ts';
import { distributionSchema } from '../control/random.ts';

/** A fault may target one API: `hub` (/v1, Hubble's HTTP API) or `neynar` (/v2/farcaster); no target = both. */
export const FARCASTER_TARGETS = ['hub', 'neynar'];

const rate = faultRate;

export const down = defineFault({
  type: 'down',
  description: 'the hub answers every request with an HTTP error (503 by default), as when it is restarting or overloaded',
  params: z.strictObject({ status: z.number().int().min(400).max(599).default(503) }),
});

export const slow = defineFault({
  type: 'slow',
  description: 'added latency before the answer, drawn from a distribution, on a share of requests',
  params: z.strictObject({ latency: distributionSchema, rate }),
});

export const validationErrors = defineFault({
  type: 'validation-errors',
  description:
    'a share of message validations fail: "invalid" says a genuine message is invalid (hub: 400 HubError; Neynar: valid=false), "error" fails the call itself (HTTP 500)',
  params: z.strictObject({ rate, mode: z.enum(['invalid', 'error']).default('invalid') }),
});

export const staleVerifications = defineFault({
  type: 'stale-verifications',
  description: "the newest verified address is missing from verificationsByFid and Neynar users (a hub that has not synced it yet): apps see the user's older address",
  params: z.strictObject({ rate }),
});

/** Every fault the Farcaster hub mock knows. */
export const farcasterFaults: FaultDefinition[] = [down, slow, validationErrors, staleVerifications];
