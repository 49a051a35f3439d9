import { z } from 'zod';
import { definePaymentsFault } from './_fault.ts';

/** createInvoice answers 5xx in Stripe's error shape (api_error). */
export default definePaymentsFault({
  type: 'server-error',
  description: 'POST /v1/invoices answers an HTTP 5xx (500 by default) with a Stripe api_error',
  params: z.strictObject({ status: z.number().int().min(500).max(599).default(500) }),
  refuse: (_request, { params }) =>
    Response.json({ error: { type: 'api_error', message: 'An unknown error occurred, please retry.' } }, { status: params.status }),
});
