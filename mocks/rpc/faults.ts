import { z } from 'zod';
import { defineFault, type FaultDefinition, faultRate } from '../control/faults.ts';
import { distributionSchema } from '../control/random.ts';

const rate = faultRate;
const methods = z.array(z.string().min(1)).min(1).optional().describe('only these JSON-RPC methods (default: all)');

/** Forces the provider's own rate-limit answer (429 / -32005 / Retry-After), optionally as a tighter limit. */
export const throttle = defineFault({
  type: 'throttle',
  description: "answer with the provider's rate-limit error: for a share of requests, or as a tighter per-second limit",
  params: z.strictObject({
    rate,
    /** When set, requests beyond this many cost units per second are throttled (instead of `rate`). */
    perSecond: z.number().positive().optional(),
    /** Seconds to wait (Retry-After / backoff_seconds; default 1). Set, it also adds Retry-After to Infura-style answers, which do not send one by default. */
    retryAfterSeconds: z.number().int().min(1).max(3600).optional(),
    /** Infura only: the legacy -32005 answer. Defaults to the provider's setting. */
    legacy: z.boolean().optional(),
    methods,
  }),
});

/** Errors for a share of requests, with a chosen HTTP status and/or JSON-RPC error code. */
export const errorRate = defineFault({
  type: 'error-rate',
  description: 'fail a share of requests with an HTTP status (plain body) or a JSON-RPC error code (HTTP 200 unless status is set)',
  params: z
    .strictObject({
      rate,
      status: z.number().int().min(200).max(599).optional(),
      code: z.number().int().optional(),
      message: z.string().min(1).optional(),
      methods,
    })
    .refine((p) => p.status !== undefined || p.code !== undefined, { message: 'status or code (or both)', path: ['status'] }),
});

/** Adds latency drawn from a distribution (fixed / uniform / lognormal). */
export const latency = defineFault({
  type: 'latency',
  description: 'delay answers by a duration drawn from a distribution',
  params: z.strictObject({ distribution: distributionSchema, rate, methods }),
});

/** Never answers; the request ends when the client gives up. */
export const hang = defineFault({
  type: 'hang',
  description: 'never answer (until the client hangs up)',
  params: z.strictObject({ rate, methods }),
});

/** A 200 with a body that is not valid JSON (cut mid-object). */
export const malformed = defineFault({
  type: 'malformed',
  description: 'answer HTTP 200 with truncated, unparsable JSON',
  params: z.strictObject({ rate, methods }),
});

/** eth_blockNumber and "latest" lag the real head by N blocks. */
export const staleHead = defineFault({
  type: 'stale-head',
  description: 'eth_blockNumber and "latest" block tags lag the chain head by `blocks`',
  params: z.strictObject({ blocks: z.number().int().min(1) }),
});

/** eth_sendRawTransaction answers the transaction hash but never forwards it. */
export const droppedTransactions = defineFault({
  type: 'dropped-transactions',
  description: 'eth_sendRawTransaction returns the hash but the transaction never reaches the chain',
  params: z.strictObject({ rate }),
});

/** eth_sendRawTransaction answers -32000 "nonce too low". */
export const nonceTooLow = defineFault({
  type: 'nonce-too-low',
  description: 'eth_sendRawTransaction fails with -32000 "nonce too low"',
  params: z.strictObject({ rate }),
});

export type ThrottleParams = z.output<typeof throttle.params>;
export type ErrorRateParams = z.output<typeof errorRate.params>;
export type LatencyParams = z.output<typeof latency.params>;
export type StaleHeadParams = z.output<typeof staleHead.params>;

/** Every fault the RPC gateway knows, registered with its FaultController. */
export const rpcFaults: FaultDefinition[] = [throttle, errorRate, latency, hang, malformed, staleHead, droppedTransactions, nonceTooLow];
