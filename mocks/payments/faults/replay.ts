import { z } from 'zod';
import { definePaymentsFault } from './_fault.ts';

/** An event delivered earlier comes again, byte for byte with its original signature (a captured request replayed). */
export default definePaymentsFault({
  type: 'replay',
  description: 'after an event, one delivered earlier is sent again with its original body and signature',
  params: z.strictObject({}),
  delivery: () => ({ replayOld: true }),
});
