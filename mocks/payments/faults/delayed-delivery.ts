import { z } from 'zod';
import { definePaymentsFault } from './_fault.ts';

/** Events reach the endpoint late: the provider's queue is behind. */
export default definePaymentsFault({
  type: 'delayed-delivery',
  description: 'each event is delivered `delayMs` late',
  params: z.strictObject({ delayMs: z.number().int().min(0).max(600_000).default(2_000) }),
  delivery: (_event, { params }) => ({ delayMs: params.delayMs }),
});
