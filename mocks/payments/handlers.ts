import { http, HttpResponse, type RequestHandler } from 'msw';
import { FaultController } from '../control/faults.ts';
import { controlHandlers } from '../control/handlers.ts';
import type { Random } from '../control/random.ts';
import type { DeliveryPlan, PaymentsEvent, PaymentsFault } from './faults/_fault.ts';
import paymentsFaults from './faults/index.ts';
import { type PaymentsOptions, type PaymentsOptionsInput, parsePaymentsOptions } from './options.ts';
import { signatureHeader } from './signature.ts';

export interface PaymentsMockInit extends PaymentsOptionsInput {
  /** Every random choice (ids, fault sampling, which event a replay picks) derives from it. Default 1. */
  seed?: number;
}

interface Invoice {
  id: string;
  object: 'invoice';
  status: 'open' | 'paid';
  amount_due: number;
  amount_paid: number;
  currency: string;
  metadata: Record<string, string>;
  created: number;
}

/** What the webhook endpoint was sent, for the tests and GET /__faultline/deliveries. */
export interface DeliveryCounts {
  attempts: number;
  delivered: number;
  failed: number;
  retried: number;
  replayed: number;
  badlySigned: number;
  undeliverable: number;
}

/** The payments provider in-process: its msw handlers, the fault controller behind its control API, and `close()` (pending deliveries). */
export interface PaymentsMock {
  handlers: RequestHandler[];
  controller: FaultController<PaymentsFault>;
  options: PaymentsOptions;
  deliveries: DeliveryCounts;
  close(): void;
}

const WRONG_SECRET = 'whsec_not_the_endpoint_secret';

/**
 * A Stripe-style payments provider: `POST /v1/webhook_endpoints` registers where events go
 * (one endpoint; a new registration replaces it), `POST /v1/invoices` (createInvoice, honours
 * Idempotency-Key) opens an invoice that the customer pays `payAfterMs` later, `GET
 * /v1/invoices/:id` reads one. Each invoice sends `invoice.created` then `invoice.paid` to the
 * endpoint, signed as Stripe signs (Stripe-Signature t=…,v1=…), retried on the compressed
 * schedule `retryScheduleMs` until the endpoint answers 2xx. Faults shape the deliveries.
 */
export function createPaymentsMock(init: PaymentsMockInit = {}): PaymentsMock {
  const { seed = 1, ...rest } = init;
  const options = parsePaymentsOptions(rest);
  const controller = new FaultController('payments', paymentsFaults, seed);
  const ids = controller.stream('ids');
  const replayPick = controller.stream('replay');
  const invoices = new Map<string, Invoice>();
  const byIdempotencyKey = new Map<string, string>();
  let endpoint: { id: string; url: string; secret: string } | undefined;
  // Deliveries the endpoint accepted, body and header as sent: what a replay sends again.
  const sent: Array<{ body: string; signature: string }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const deliveries: DeliveryCounts = { attempts: 0, delivered: 0, failed: 0, retried: 0, replayed: 0, badlySigned: 0, undeliverable: 0 };
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const post = async (body: string, signature: string): Promise<boolean> => {
    if (!endpoint) return false;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks) faultline-mock' },
        body,
        signal: AbortSignal.timeout(options.deliveryTimeoutMs),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };

  /** One delivery attempt; the faults in force now decide its signature, so a retry after a bad-signature fault is signed right. */
  const attempt = async (event: PaymentsEvent, n: number, replayOld: boolean) => {
    if (!endpoint) {
      deliveries.undeliverable += 1;
      return;
    }
    const plan = controller.merge(controller.sample(event.type), 'delivery', event, {} as Partial<DeliveryPlan>);
    const body = JSON.stringify(event);
    const signature = signatureHeader(plan.badSignature ? WRONG_SECRET : endpoint.secret, body);
    if (plan.badSignature) deliveries.badlySigned += 1;
    deliveries.attempts += 1;
    const old = replayOld && sent.length > 0 ? sent[replayPick.int(sent.length)] : undefined;
    if (await post(body, signature)) {
      deliveries.delivered += 1;
      sent.push({ body, signature });
      if (sent.length > 200) sent.shift();
    } else {
      deliveries.failed += 1;
      const wait = options.retryScheduleMs[n];
      if (wait !== undefined) {
        deliveries.retried += 1;
        later(wait, () => void attempt(event, n + 1, false));
      }
    }
    if (old) {
      deliveries.replayed += 1;
      await post(old.body, old.signature);
    }
  };

  /** Sends an event as the faults in force when it happens say: copies, delay, replay. */
  const emit = (event: PaymentsEvent, plan: Partial<DeliveryPlan>) => {
    const copies = plan.copies ?? 1;
    for (let i = 0; i < copies; i++) later((plan.delayMs ?? 0) + i * 20, () => void attempt(event, 0, i === 0 && Boolean(plan.replayOld)));
  };

  const event = (type: string, invoice: Invoice): PaymentsEvent => ({
    id: `evt_${token(ids, 24)}`,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: { ...invoice, metadata: { ...invoice.metadata } } },
  });

  const pay = (invoice: Invoice) => {
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    const paid = event('invoice.paid', invoice);
    emit(paid, controller.merge(controller.sample(paid.type), 'delivery', paid, {} as Partial<DeliveryPlan>));
  };

  const handlers: RequestHandler[] = [
    http.post('*/v1/webhook_endpoints', async ({ request }) => {
      controller.countRequest('POST /v1/webhook_endpoints');
      const params = await formOrJson(request);
      const url = typeof params.url === 'string' ? params.url : undefined;
      if (!url || !/^https?:\/\//.test(url)) return stripeError(400, 'invalid_request_error', 'Missing required param: url.', 'url');
      endpoint = { id: `we_${token(ids, 24)}`, url, secret: options.webhookSecret };
      return HttpResponse.json({ id: endpoint.id, object: 'webhook_endpoint', url, secret: endpoint.secret, status: 'enabled', enabled_events: ['invoice.created', 'invoice.paid'] });
    }),

    http.post('*/v1/invoices', async ({ request }) => {
      controller.countRequest('POST /v1/invoices');
      const faults = controller.sample('invoices');
      const refused = controller.consult(faults, 'refuse', { route: 'POST /v1/invoices', request });
      if (refused) {
        controller.countRefusal({ route: 'createInvoice', status: String(refused.status) });
        return refused;
      }
      const key = request.headers.get('idempotency-key');
      const known = key ? invoices.get(byIdempotencyKey.get(key) ?? '') : undefined;
      if (known) return HttpResponse.json(known, { headers: { 'idempotent-replayed': 'true' } });
      const params = await formOrJson(request);
      const amount = Number(params.amount ?? params.amount_due);
      if (!Number.isInteger(amount) || amount <= 0) return stripeError(400, 'invalid_request_error', 'Invalid positive integer: amount.', 'amount');
      const invoice: Invoice = {
        id: `in_${token(ids, 24)}`,
        object: 'invoice',
        status: 'open',
        amount_due: amount,
        amount_paid: 0,
        currency: typeof params.currency === 'string' ? params.currency : 'xtr',
        metadata: metadataOf(params),
        created: Math.floor(Date.now() / 1000),
      };
      invoices.set(invoice.id, invoice);
      if (key) byIdempotencyKey.set(key, invoice.id);
      const created = event('invoice.created', invoice);
      const plan = controller.merge(controller.sample(created.type), 'delivery', created, {} as Partial<DeliveryPlan>);
      if (plan.paidFirstMs !== undefined) {
        // Paid at once and announced first; "created" follows.
        pay(invoice);
        later(plan.paidFirstMs, () => emit(created, plan));
      } else {
        emit(created, plan);
        later(options.payAfterMs, () => pay(invoice));
      }
      return HttpResponse.json({ ...invoice });
    }),

    http.get('*/v1/invoices/:id', ({ params }) => {
      controller.countRequest('GET /v1/invoices/:id');
      const invoice = invoices.get(String(params.id));
      return invoice ? HttpResponse.json(invoice) : stripeError(404, 'invalid_request_error', `No such invoice: '${String(params.id)}'`, 'id');
    }),

    http.get('*/__faultline/deliveries', () => HttpResponse.json({ ...deliveries, endpoint: endpoint?.url ?? null, invoices: invoices.size, pending: timers.size })),
    ...controlHandlers(controller),
  ];

  const close = () => {
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  return { handlers, controller, options, deliveries, close };
}

function token(random: Random, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[random.int(alphabet.length)];
  return out;
}

/** Stripe takes form-encoded bodies (`metadata[user]=…`); JSON is accepted too. */
async function formOrJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (!text) return {};
  if ((request.headers.get('content-type') ?? '').includes('json')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function metadataOf(params: Record<string, unknown>): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (typeof params.metadata === 'object' && params.metadata !== null) for (const [k, v] of Object.entries(params.metadata)) metadata[k] = String(v);
  for (const [key, value] of Object.entries(params)) {
    const match = /^metadata\[(\w{1,40})\]$/.exec(key);
    if (match) metadata[match[1]!] = String(value);
  }
  return metadata;
}

function stripeError(status: number, type: string, message: string, param?: string): Response {
  return HttpResponse.json({ error: { type, message, ...(param ? { param } : {}) } }, { status });
}
