import { mockService } from '../service.ts';
import faults from './faults/index.ts';
import { paymentsOptionsSchema } from './options.ts';

/**
 * The payments provider mock, imitating Stripe: invoices (createInvoice) and webhooks signed
 * as Stripe signs them (Stripe-Signature), retried on a compressed schedule. `PAYMENTS_URL` is
 * its API base (ends without /v1, as the Stripe SDK's host); the signing secret is
 * `PAYMENTS_WEBHOOK_SECRET`'s default, `whsec_faultline_development_secret`.
 */
export default mockService({
  name: 'payments',
  description: 'Stripe-style payments provider mock (invoices, signed webhooks with retries)',
  options: paymentsOptionsSchema,
  envVar: 'PAYMENTS_URL',
  entry: 'mocks/payments/main.ts',
  faults,
});
