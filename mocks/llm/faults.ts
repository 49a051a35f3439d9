import { z } from 'zod';
import { defineFault, type FaultDefinition, faultRate } from '../control/faults.ts';
import { distributionSchema } from '../control/random.ts';
import { lengthSchema } from './options.ts';

// `target` of an LLM fault is a model name: the fault then hits only requests for that model.
const rate = faultRate;

export const rateLimit = defineFault({
  type: 'rate-limit',
  description: '429 rate_limit_exceeded with retry-after and x-ratelimit-* headers',
  params: z.strictObject({
    rate,
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    /** Which limit ran out: the error's `type` and the x-ratelimit-remaining-* header that reads 0. */
    limit: z.enum(['requests', 'tokens']).default('requests'),
  }),
});

export const overloaded = defineFault({
  type: 'overloaded',
  description: '503 server_is_overloaded',
  params: z.strictObject({ rate }),
});

export const slowFirstToken = defineFault({
  type: 'slow-first-token',
  description: 'time to first token drawn from this distribution instead of the configured one',
  params: z.strictObject({ rate, ttft: distributionSchema }),
});

export const generation = defineFault({
  type: 'generation',
  description: 'override time to first token, tokens per second and/or response length while active',
  params: z
    .strictObject({
      ttft: distributionSchema.optional(),
      tokensPerSecond: z.number().positive().max(100_000).optional(),
      responseTokens: lengthSchema.optional(),
    })
    .refine((p) => p.ttft !== undefined || p.tokensPerSecond !== undefined || p.responseTokens !== undefined, {
      message: 'at least one of ttft, tokensPerSecond, responseTokens',
    }),
});

export const streamCut = defineFault({
  type: 'stream-cut',
  description: 'streaming only: the connection is closed after N chunks (no finish chunk, no [DONE])',
  params: z.strictObject({ rate, afterChunks: z.number().int().min(0).default(3) }),
});

export const stall = defineFault({
  type: 'stall',
  description: 'streaming only: after the first token the stream stays open and sends nothing more',
  params: z.strictObject({ rate }),
});

export const malformedSse = defineFault({
  type: 'malformed-sse',
  description: 'streaming only: chunk number `atChunk` (0 = the role chunk) is sent as a truncated, unparseable data line',
  params: z.strictObject({ rate, atChunk: z.number().int().min(0).default(1) }),
});

/** Every fault the LLM mock knows, in the order a request checks them. */
export const llmFaults: FaultDefinition[] = [rateLimit, overloaded, slowFirstToken, generation, streamCut, stall, malformedSse];

export type RateLimitParams = z.infer<typeof rateLimit.params>;
export type SlowFirstTokenParams = z.infer<typeof slowFirstToken.params>;
export type GenerationParams = z.infer<typeof generation.params>;
export type StreamCutParams = z.infer<typeof streamCut.params>;
export type MalformedSseParams = z.infer<typeof malformedSse.params>;
