import { z } from 'zod';
import { definePaymentsFault } from './_fault.ts';

/** Deliveries signed with a wrong secret: the endpoint must refuse them (the provider then retries, signed right). */
export default definePaymentsFault({
  type: 'bad-signature',
  description: 'events are delivered with a Stripe-Signature made with the wrong secret',
  params: z.strictObject({}),
  delivery: () => ({ badSignature: true }),
});
