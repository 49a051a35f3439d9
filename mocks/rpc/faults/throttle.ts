import { z } from 'zod';
import { rateLimited } from '../answers.ts';
import { TokenBucket } from '../token-bucket.ts';
import { defineRpcFault } from './_fault.ts';

/** Forces the provider's own rate-limit answer (429 / -32005 / Retry-After), optionally as a tighter limit. */
export default defineRpcFault({
  type: 'throttle',
  description: "answer with the provider's rate-limit error: for a share of requests, or as a tighter per-second limit",
  params: z.strictObject({
    /** When set, requests beyond this many cost units per second (per key) are throttled, instead of every sampled one. */
    perSecond: z.number().positive().optional(),
    /** Seconds to wait (Retry-After / backoff_seconds; default 1). Set, it also adds Retry-After to Infura-style answers, which do not send one by default. */
    retryAfterSeconds: z.number().int().min(1).max(3600).optional(),
    /** Infura only: the legacy -32005 answer. Defaults to the provider's setting. */
    legacy: z.boolean().optional(),
  }),
  /** The tighter limit's buckets, one per API key, for as long as the fault is applied. */
  state: () => new Map<string, TokenBucket>(),
  refuse(request, { params, state: buckets }) {
    const { perSecond, retryAfterSeconds = 1, legacy = request.provider.legacyErrors } = params;
    let retryAfterMs = retryAfterSeconds * 1000;
    if (perSecond !== undefined) {
      let bucket = buckets.get(request.key);
      if (!bucket) buckets.set(request.key, (bucket = new TokenBucket(perSecond, 1)));
      const taken = bucket.take(request.cost, request.now);
      if (taken.ok) return undefined;
      retryAfterMs = Math.max(taken.retryAfterMs, retryAfterMs);
    }
    return rateLimited(request.provider.style, request.ids, request.batch, {
      retryAfterMs,
      legacy,
      allowedRps: perSecond ?? request.provider.perSecond,
      currentRps: request.currentRps,
      retryAfterHeader: params.retryAfterSeconds !== undefined,
    });
  },
});
