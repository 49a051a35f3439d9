import { z } from 'zod';
import { definePaymentsFault } from './_fault.ts';

/** The same event (same id) delivered more than once, as Stripe warns it may be. */
export default definePaymentsFault({
  type: 'duplicate-delivery',
  description: 'each event is delivered `copies` times (same event id)',
  params: z.strictObject({ copies: z.number().int().min(2).max(10).default(2) }),
  delivery: (_event, { params }) => ({ copies: params.copies }),
});
