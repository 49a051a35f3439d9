import { z } from 'zod';
import { portSchema } from '../../lib/schema.ts';
import { MockOptionsInvalidError, parseMockOptions } from '../control/options.ts';

/**
 * Options of the payments provider mock (faultline.config.ts `services.payments`, or `createPaymentsMock({...})`).
 * @example { webhookSecret: 'whsec_test', payAfterMs: 200, retryScheduleMs: [500, 1000, 2000, 4000, 8000] }
 */
export const paymentsOptionsSchema = z.strictObject({
  /** Listening port under env:up; a free one when omitted. */
  port: portSchema.optional(),
  /** The webhook signing secret (Stripe's `whsec_…`): what Stripe-Signature's v1 HMAC is keyed with. */
  webhookSecret: z.string().min(8).default('whsec_faultline_development_secret'),
  /** How long after createInvoice the customer pays it (the `invoice.paid` event), ms. */
  payAfterMs: z.number().int().min(0).max(600_000).default(200),
  /**
   * After a failed delivery (no 2xx within `deliveryTimeoutMs`), the waits before each next
   * attempt, ms. Stripe's own schedule spans three days with exponential backoff; this is it compressed.
   */
  retryScheduleMs: z.array(z.number().int().min(0)).max(20).default([500, 1_000, 2_000, 4_000, 8_000]),
  /** How long one delivery waits for the app's answer, ms. */
  deliveryTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
});
export type PaymentsOptions = z.infer<typeof paymentsOptionsSchema>;
export type PaymentsOptionsInput = z.input<typeof paymentsOptionsSchema>;

/** Mock options that do not parse: which field, what was expected. */
export class PaymentsOptionsInvalidError extends MockOptionsInvalidError {
  constructor(issues: string[]) {
    super('payments provider', issues, 'mocks/payments/options.ts');
    this.name = 'PaymentsOptionsInvalidError'; // explicit: a bundler may rename the class
  }
}

/** Parses options with every default filled in; throws PaymentsOptionsInvalidError with dotted paths. */
export function parsePaymentsOptions(input: unknown): PaymentsOptions {
  return parseMockOptions(paymentsOptionsSchema, input, (issues) => new PaymentsOptionsInvalidError(issues));
}
