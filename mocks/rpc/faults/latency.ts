import { z } from 'zod';
import { distributionSchema, sample } from '../../control/random.ts';
import { defineRpcFault } from './_fault.ts';

/** Adds latency drawn from a distribution (fixed / uniform / lognormal), before the provider's limits. */
export default defineRpcFault({
  type: 'latency',
  description: 'delay answers by a duration drawn from a distribution',
  params: z.strictObject({ distribution: distributionSchema }),
  delay: (_request, fault) => sample(fault.params.distribution, fault.random),
});
