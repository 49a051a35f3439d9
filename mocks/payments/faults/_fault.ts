import type { z } from 'zod';
import { defineFault, type Fault, type FaultDefinition, type FaultFamily, faultKind, type FaultSource } from '../../control/fault.ts';

/**
 * What the payments provider mock (handlers.ts) asks a fault:
 *   refuse (POST /v1/invoices only) → the invoice is created, and each of its events asks `delivery`
 * `refuse` is asked newest applied fault first and the first answer is sent instead of the
 * invoice. `delivery` shapes how one event reaches the webhook endpoint: every fault's answer
 * fills the fields a newer fault left unset (see FaultController.merge).
 */
export interface PaymentsFaultHooks<P = any, S = any> {
  /** An HTTP error to answer createInvoice with, or undefined. */
  refuse?(request: PaymentsRequest, fault: Fault<P, S>): Response | undefined;
  /** How one event is delivered, where it differs from "once, at once, in order, correctly signed". */
  delivery?(event: PaymentsEvent, fault: Fault<P, S>): Partial<DeliveryPlan> | undefined;
}

export interface PaymentsRequest {
  route: string;
  request: Request;
}

/** A Stripe-shaped event: `{ id: 'evt_…', object: 'event', type, created, data: { object } }`. */
export interface PaymentsEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export interface DeliveryPlan {
  /** Deliveries of the same event (same id), one after the other: 2 = a duplicate. */
  copies: number;
  /** Extra wait before the first attempt, ms. */
  delayMs: number;
  /** `invoice.paid` goes out before `invoice.created` (and created this long after it, ms). */
  paidFirstMs: number;
  /** Signed with a wrong secret (a forged or mis-keyed delivery); retries after the fault are signed right. */
  badSignature: boolean;
  /** After it, one event delivered earlier is sent again with its original signature (a replay). */
  replayOld: boolean;
}

const PAYMENTS_FAULTS: FaultFamily = { what: 'payments fault', methods: false };

export type PaymentsFault = FaultDefinition & PaymentsFaultHooks;

/** A payments provider mock fault: its schema and its behaviour (the hooks above). */
export function definePaymentsFault<Own extends z.ZodObject, S = undefined>(source: FaultSource<Own, S> & PaymentsFaultHooks<z.output<Own>, S>): PaymentsFault {
  return defineFault(PAYMENTS_FAULTS, source);
}

export const paymentsFaultKind = faultKind<PaymentsFault>(PAYMENTS_FAULTS);
