import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../lib/poll.ts';
import { serveHandlers, type ServedHandlers } from '../http/serve.ts';
import { createPaymentsMock, type PaymentsMock } from './handlers.ts';

// The official Stripe SDK verifies what the mock signs: a delivery it accepts is one a Stripe integration accepts.
const stripe = new Stripe('sk_test_faultline');
const SECRET = 'whsec_test_secret_for_mock';

/** Waits until `ready()` holds (3 s at most). */
const until = (ready: () => boolean) =>
  pollUntil(async () => {
    if (!ready()) throw new Error('not yet');
  }, { timeoutMs: 3000, intervalMs: 20 });

interface Received {
  event?: Stripe.Event;
  error?: string;
}

describe('payments provider mock', () => {
  let mock: PaymentsMock;
  let served: ServedHandlers;
  let endpoint: Server;
  const received: Received[] = [];
  let answer = 200;

  const start = async () => {
    mock = createPaymentsMock({ seed: 7, webhookSecret: SECRET, payAfterMs: 50, retryScheduleMs: [100, 200] });
    served = await serveHandlers(mock.handlers);
    endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        try {
          received.push({ event: stripe.webhooks.constructEvent(body, String(req.headers['stripe-signature']), SECRET) });
        } catch (error) {
          received.push({ error: (error as Error).message });
        }
        res.writeHead(received.at(-1)!.error ? 400 : answer).end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const address = endpoint.address() as { port: number };
    const registered = await fetch(`${served.url}/v1/webhook_endpoints`, { method: 'POST', body: new URLSearchParams({ url: `http://127.0.0.1:${address.port}/hook` }) });
    expect(registered.status).toBe(200);
  };
  const createInvoice = async (headers: Record<string, string> = {}) =>
    fetch(`${served.url}/v1/invoices`, { method: 'POST', headers, body: new URLSearchParams({ amount: '500', currency: 'xtr', 'metadata[user]': 'u1' }) });
  const fault = (body: object) => fetch(`${served.url}/__faultline/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const types = () => received.map((r) => r.event?.type ?? r.error);

  afterEach(async () => {
    mock?.close();
    await served?.close();
    await new Promise((resolve) => endpoint?.close(resolve));
    received.length = 0;
    answer = 200;
  });

  it('signs its webhooks as Stripe does: created, then paid, verified by stripe.webhooks.constructEvent', async () => {
    await start();
    const invoice = (await (await createInvoice()).json()) as { id: string; status: string; metadata: Record<string, string> };
    expect(invoice).toMatchObject({ status: 'open', metadata: { user: 'u1' } });
    await until(() => received.length >= 2);
    expect(types()).toEqual(['invoice.created', 'invoice.paid']);
    expect((received[1]!.event!.data.object as { id: string; status: string }).id).toBe(invoice.id);
    expect(((await (await fetch(`${served.url}/v1/invoices/${invoice.id}`)).json()) as { status: string }).status).toBe('paid');
  });

  it('retries a delivery the endpoint refused, on its schedule', async () => {
    await start();
    answer = 500;
    await createInvoice();
    await until(() => mock.deliveries.failed >= 4);
    answer = 200;
    // Two events, each refused at once and 100 ms later, accepted at the retry 200 ms after that.
    await until(() => mock.deliveries.delivered >= 2);
    expect(mock.deliveries).toMatchObject({ attempts: 6, failed: 4, retried: 4, delivered: 2 });
    expect(types().slice(-2).sort()).toEqual(['invoice.created', 'invoice.paid']);
  });

  it('answers createInvoice with 5xx under server-error, and replays an Idempotency-Key', async () => {
    await start();
    expect((await fault({ type: 'server-error', status: 503 })).status).toBe(201);
    const refused = await createInvoice();
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('api_error');
    await fetch(`${served.url}/__faultline/faults`, { method: 'DELETE' });
    const first = (await (await createInvoice({ 'idempotency-key': 'k1' })).json()) as { id: string };
    const again = await createInvoice({ 'idempotency-key': 'k1' });
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('duplicates, reorders, replays and mis-signs deliveries under its faults', async () => {
    await start();
    await fault({ type: 'duplicate-delivery' });
    await createInvoice();
    await until(() => received.length >= 4);
    expect(types()).toEqual(['invoice.created', 'invoice.created', 'invoice.paid', 'invoice.paid']);
    expect(received[0]!.event!.id).toBe(received[1]!.event!.id);

    await fetch(`${served.url}/__faultline/faults`, { method: 'DELETE' });
    received.length = 0;
    await fault({ type: 'out-of-order', gapMs: 100 });
    await createInvoice();
    await until(() => received.length >= 2);
    expect(types()).toEqual(['invoice.paid', 'invoice.created']);

    await fetch(`${served.url}/__faultline/faults`, { method: 'DELETE' });
    const earlier = new Set(received.map((r) => r.event!.id));
    received.length = 0;
    await fault({ type: 'replay' });
    await createInvoice();
    await until(() => received.length >= 4);
    // Each event is followed by one delivered before, sent again byte for byte: its old signature still verifies.
    expect(received.every((r) => r.event)).toBe(true);
    expect(new Set(received.filter((r) => !earlier.has(r.event!.id)).map((r) => r.event!.type))).toEqual(new Set(['invoice.created', 'invoice.paid']));
    expect(new Set(received.map((r) => r.event!.id)).size).toBeLessThan(4 + earlier.size);
    expect(mock.deliveries.replayed).toBe(2);

    await fetch(`${served.url}/__faultline/faults`, { method: 'DELETE' });
    received.length = 0;
    await fault({ type: 'bad-signature', ttlMs: 80 });
    await createInvoice();
    await until(() => received.filter((r) => r.event).length >= 2);
    // Refused by the SDK while the fault held; the provider's retries after it were signed right.
    expect(received[0]!.error).toMatch(/No signatures found matching the expected signature/);
    expect(received.filter((r) => r.event).map((r) => r.event!.type).sort()).toEqual(['invoice.created', 'invoice.paid']);
  });
});
