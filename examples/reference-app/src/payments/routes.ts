import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { transaction } from '../db.ts';
import { HttpError } from '../http-error.ts';
import { verifySignature } from './signature.ts';

interface InvoiceEvent {
  id: string;
  type: string;
  data: { object: { id: string; amount_due?: number; metadata?: Record<string, string> } };
}

const invoiceBody = { type: 'object', required: ['amount'], additionalProperties: false, properties: { amount: { type: 'integer', minimum: 1, maximum: 1_000_000 } } } as const;

/** The provider's webhook path: outside /api, so no JWT (the signature authenticates it). */
export const PAYMENTS_WEBHOOK_PATH = '/webhooks/payments';

/**
 * Payments through the Stripe-style provider (PAYMENTS_URL): POST /api/payments/invoices opens
 * an invoice (createInvoice, retried with one Idempotency-Key on 5xx), the provider's webhooks
 * (POST /webhooks/payments, the endpoint the app registers at start, retried until the provider answers) credit the ledger once
 * the invoice is paid. With webhook-dedup: the signature is checked (400 otherwise), each event
 * id is taken once, and the invoice moves open → paid only (a late "created" changes nothing);
 * an event for an invoice not yet stored is answered 503, so the provider retries it. Without:
 * every delivery is believed — a duplicate or replay credits again, a bad signature credits, a
 * late "created" reopens a paid invoice. GET /internal/payments/invariants/:name answers 409
 * when that invariant fails for this process's invoices.
 */
export function paymentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const providerUrl = process.env.PAYMENTS_URL;
  if (!providerUrl) return;
  const secret = process.env.PAYMENTS_WEBHOOK_SECRET || 'whsec_faultline_development_secret';
  const dedup = ctx.config.mitigations['webhook-dedup'];
  const instance = `payments-${process.pid}-${randomUUID().slice(0, 8)}`;

  // The provider may still be starting when the app listens (the environment waits only for its URL), so the
  // registration is retried, and an invoice is opened only once its webhooks have somewhere to go.
  let registering: Promise<boolean> | undefined;
  let closing = false;
  app.addHook('onClose', async () => {
    closing = true;
  });
  const register = async (retryForMs: number): Promise<boolean> => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : ctx.config.port;
    const deadline = Date.now() + retryForMs;
    const { response, status } = await postRetrying(`${providerUrl}/v1/webhook_endpoints`, { body: new URLSearchParams({ url: `http://127.0.0.1:${port}${PAYMENTS_WEBHOOK_PATH}` }) }, (attempt) =>
      Date.now() < deadline && !closing ? Math.min(1_000, 50 * 2 ** attempt) : undefined,
    );
    if (!response) ctx.log.warn({ status }, 'payments: could not register the webhook endpoint; invoices will not be credited');
    return !!response;
  };
  // One registration at a time: at start retried for 15 s; after that failed, tried once more by each invoice.
  const registered = (retryForMs = 0) =>
    (registering ??= register(retryForMs).then((ok) => {
      if (!ok) registering = undefined;
      return ok;
    }));
  app.addHook('onListen', async () => {
    void registered(15_000);
  });

  app.post<{ Body: { amount: number } }>('/api/payments/invoices', { schema: { body: invoiceBody } }, async (request, reply) => {
    const { tenant, user } = request.caller!;
    if (!(await registered())) throw new HttpError(502, 'payments_unavailable', 'The payments provider did not take the webhook endpoint, so the invoice would never be credited; try again.');
    const key = randomUUID();
    // Six attempts, 50 ms doubling to 800 ms between them (1.55 s in all): with a third of the calls
    // failing, all six fail for 1 invoice in 800 (four attempts: 1 in 80, one lost user in a typical run).
    const { response, status } = await postRetrying(
      `${providerUrl}/v1/invoices`,
      { headers: { 'idempotency-key': key }, body: new URLSearchParams({ amount: String(request.body.amount), currency: 'xtr', 'metadata[tenant]': tenant, 'metadata[user]': user }) },
      (attempt) => (attempt < 6 ? 50 * 2 ** (attempt - 1) : undefined),
    );
    if (!response) throw new HttpError(502, 'payments_unavailable', `The payments provider did not open the invoice (HTTP ${status}); try again.`);
    const invoice = (await response.json()) as { id: string; status: string };
    await ctx.pool.query(`INSERT INTO payment_invoices (id, instance, tenant, user_id, amount, status) VALUES ($1, $2, $3, $4, $5, 'open') ON CONFLICT (id) DO NOTHING`, [
      invoice.id,
      instance,
      tenant,
      user,
      request.body.amount,
    ]);
    reply.code(201);
    return { invoice: { id: invoice.id, status: 'open', amount: request.body.amount } };
  });

  app.register(async (scope) => {
    // The signature covers the raw body: keep it as the provider sent it.
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post<{ Body: string }>(PAYMENTS_WEBHOOK_PATH, async (request, reply) => {
      const raw = request.body;
      const signature = verifySignature(secret, raw, request.headers['stripe-signature'] as string | undefined);
      if (dedup && !signature.ok) throw new HttpError(400, 'bad_signature', `Webhook refused: ${signature.why}.`);
      let event: InvoiceEvent;
      try {
        event = JSON.parse(raw) as InvoiceEvent;
      } catch {
        throw new HttpError(400, 'bad_event', 'The webhook body is not JSON.');
      }
      const invoice = event.data?.object;
      if (!invoice?.id || !event.id) throw new HttpError(400, 'bad_event', 'The event has no id or no invoice.');
      if (!dedup) {
        // What a first integration does: believe every delivery.
        if (event.type === 'invoice.paid') {
          await ctx.pool.query(`UPDATE payment_invoices SET status = 'paid', paid_at = clock_timestamp() WHERE id = $1`, [invoice.id]);
          await ctx.pool.query(`INSERT INTO payment_ledger (invoice_id, instance, user_id, amount, signature_valid) VALUES ($1, $2, $3, $4, $5)`, [
            invoice.id,
            instance,
            invoice.metadata?.user ?? 'unknown',
            invoice.amount_due ?? 0,
            signature.ok,
          ]);
        } else if (event.type === 'invoice.created') {
          await ctx.pool.query(`UPDATE payment_invoices SET status = 'open', paid_at = NULL WHERE id = $1`, [invoice.id]);
        }
        return { received: true };
      }
      const outcome = await transaction(ctx.pool, async (client) => {
        const { rows: known } = await client.query<{ status: string }>(`SELECT status FROM payment_invoices WHERE id = $1 FOR UPDATE`, [invoice.id]);
        if (!known[0]) return 'unknown' as const;
        const { rowCount } = await client.query(`INSERT INTO payment_events (event_id, type) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING`, [event.id, event.type]);
        if (rowCount === 0) return 'duplicate' as const;
        if (event.type !== 'invoice.paid' || known[0].status === 'paid') return 'noted' as const;
        const { rows } = await client.query<{ user_id: string; amount: number }>(
          `UPDATE payment_invoices SET status = 'paid', paid_at = clock_timestamp() WHERE id = $1 AND status = 'open' RETURNING user_id, amount`,
          [invoice.id],
        );
        await client.query(`INSERT INTO payment_ledger (invoice_id, instance, user_id, amount, signature_valid) VALUES ($1, $2, $3, $4, true)`, [invoice.id, instance, rows[0]!.user_id, rows[0]!.amount]);
        return 'credited' as const;
      });
      // Not stored yet (its createInvoice answer is still on its way): the provider retries.
      if (outcome === 'unknown') throw new HttpError(503, 'invoice_unknown', `Invoice ${invoice.id} is not known yet; deliver it again later.`);
      reply.code(200);
      return { received: true, outcome };
    });
  });

  const checks: Record<string, { description: string; sql: string }> = {
    'credited-once': {
      description: 'the ledger has exactly one credit per paid invoice and none for an open one',
      sql: `SELECT i.id, i.status, count(l.id)::int AS credits FROM payment_invoices i LEFT JOIN payment_ledger l ON l.invoice_id = i.id
            WHERE i.instance = $1 GROUP BY i.id HAVING count(l.id) <> CASE WHEN i.status = 'paid' THEN 1 ELSE 0 END`,
    },
    'no-credit-for-bad-signature': {
      description: 'no credit was made on a delivery whose signature did not verify',
      sql: `SELECT l.invoice_id AS id, l.amount FROM payment_ledger l JOIN payment_invoices i ON i.id = l.invoice_id WHERE i.instance = $1 AND NOT l.signature_valid`,
    },
    'final-state': {
      description: 'every invoice ended paid (the provider pays each one)',
      sql: `SELECT id, status FROM payment_invoices WHERE instance = $1 AND status <> 'paid'`,
    },
  };
  app.get<{ Params: { name: string } }>('/internal/payments/invariants/:name', async (request, reply) => {
    const check = checks[request.params.name];
    if (!check) throw new HttpError(404, 'no_such_invariant', `Known: ${Object.keys(checks).join(', ')}.`);
    const { rows } = await ctx.pool.query(check.sql, [instance]);
    const { rows: count } = await ctx.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_invoices WHERE instance = $1`, [instance]);
    reply.code(rows.length > 0 ? 409 : 200);
    return { name: request.params.name, description: check.description, ok: rows.length === 0, invoices: count[0]!.n, violations: rows.length, examples: rows.slice(0, 5) };
  });
}

/**
 * POSTs to the provider until it answers 2xx (the response), or an answer no retry changes
 * (anything but a 5xx or none at all), or `delayBefore(attempt)` says stop (undefined);
 * otherwise it waits that many ms and tries again. `status` is the last answer's, 0 for none.
 */
async function postRetrying(url: string, init: { headers?: Record<string, string>; body: URLSearchParams }, delayBefore: (attempt: number) => number | undefined): Promise<{ response?: Response; status: number }> {
  let status = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      const delay = delayBefore(attempt);
      if (delay === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const response = await fetch(url, { method: 'POST', ...init, signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (response?.ok) return { response, status: response.status };
    status = response?.status ?? 0;
    if (status > 0 && status < 500) break;
  }
  return { status };
}
