import { z } from 'zod';
import { distributionSchema } from '../../control/random.ts';
import { defineLlmFault } from './_fault.ts';

/** A slow first token on a share of requests: the distribution replaces the configured (or a generation fault's) one. */
export default defineLlmFault({
  type: 'slow-first-token',
  description: 'time to first token drawn from this distribution instead of the configured one',
  params: z.strictObject({ ttft: distributionSchema }),
  generation: (_request, { params }) => ({ ttft: params.ttft }),
});
