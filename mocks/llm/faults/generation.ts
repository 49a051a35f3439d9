import { z } from 'zod';
import { distributionSchema } from '../../control/random.ts';
import { lengthSchema } from '../options.ts';
import { defineLlmFault } from './_fault.ts';

/** Other generation settings while it is applied, for every request: the mock reconfigured, not a share of requests failing. */
export default defineLlmFault({
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
  sampled: false,
  generation: (_request, { params }) => params,
});
