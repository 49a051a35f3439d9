import { z } from 'zod';
import { distributionSchema, sample } from '../../control/random.ts';
import { defineFarcasterFault } from './_fault.ts';

/** Added latency before the answer. */
export default defineFarcasterFault({
  type: 'slow',
  description: 'added latency before the answer, drawn from a distribution, on a share of requests',
  params: z.strictObject({ latency: distributionSchema }),
  delay: (_request, fault) => sample(fault.params.latency, fault.random),
});
