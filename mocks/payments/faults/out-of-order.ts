import { z } from 'zod';
import { definePaymentsFault } from './_fault.ts';

/** `invoice.paid` arrives before `invoice.created`. */
export default definePaymentsFault({
  type: 'out-of-order',
  description: 'an invoice\'s "paid" event is delivered before its "created" event (which follows `gapMs` later)',
  params: z.strictObject({ gapMs: z.number().int().min(0).max(60_000).default(300) }),
  delivery: (event, { params }) => (event.type === 'invoice.created' ? { paidFirstMs: params.gapMs } : undefined),
});
