import { defineScenario } from 'faultline';

const payments = (type: string, extra: Record<string, unknown> = {}) => ({ type, ...extra });

/**
 * Plan S5, the payments lifecycle, against the Stripe-style provider mock: users open
 * invoices (POST /api/payments/invoices → createInvoice), the provider pays each one and tells
 * the app by signed webhooks (invoice.created, invoice.paid), which credit the ledger. One
 * provider fault after another: duplicate deliveries, "paid" before "created", replays of old
 * events, deliveries with a bad signature, createInvoice answering 500 to a third of the
 * calls, deliveries 1.5 s late; then a quiet phase for the retries to land. With
 * webhook-dedup every paid invoice is credited exactly once, nothing is credited on a bad
 * signature and every invoice ends paid; without it, duplicates and replays credit twice.
 */
export default defineScenario({
  name: 'payments-webhooks',
  description: 'Invoices paid through signed webhooks while the provider duplicates, reorders, replays, mis-signs and delays them; every paid invoice is credited once',
  services: { postgres: true, redis: true, anvil: true, payments: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    // 10 invoices a second at baseline (smoke: 2) until settle, whose 5 s leave the last webhooks
    // (and their retries) time to arrive before the invariants look; a watcher polls the
    // settlement meanwhile.
    groups: {
      buyers: { executor: 'ramping-arrival-rate', rate: 10, vus: 10, maxVUs: 50, phases: { settle: { rate: 0 } } },
      watchers: { executor: 'constant-arrival-rate', rate: 2, vus: 1, maxVUs: 2, startTime: 'settle' },
    },
  },
  phases: [
    { name: 'baseline', duration: '3s' },
    { name: 'duplicates', duration: '3s' },
    { name: 'out-of-order', duration: '3s' },
    { name: 'replays', duration: '3s' },
    { name: 'bad-signatures', duration: '3s' },
    { name: 'provider-5xx', duration: '3s' },
    { name: 'delayed', duration: '3s' },
    { name: 'settle', duration: '5s' },
  ],
  faults: [
    { name: 'duplicate-delivery', fault: 'http', target: 'payments', at: 'duplicates', params: payments('duplicate-delivery') },
    { name: 'out-of-order', fault: 'http', target: 'payments', at: 'out-of-order', params: payments('out-of-order', { gapMs: 300 }) },
    { name: 'replay', fault: 'http', target: 'payments', at: 'replays', params: payments('replay') },
    { name: 'bad-signature', fault: 'http', target: 'payments', at: 'bad-signatures', params: payments('bad-signature') },
    { name: 'server-error', fault: 'http', target: 'payments', at: 'provider-5xx', params: payments('server-error', { rate: 0.33 }) },
    { name: 'delayed-delivery', fault: 'http', target: 'payments', at: 'delayed', params: payments('delayed-delivery', { delayMs: 1500 }) },
  ],
  assertions: {
    profileThresholds: ['baseline'],
    thresholds: {
      // createInvoice is retried with one Idempotency-Key: its 500s do not reach the user.
      invoices_opened: ['rate>0.99'],
      'http_req_duration{name:invoice}': ['p(95)<1000'],
      'probe:payments.refused{route=createInvoice,phase:provider-5xx}': ['count>0'],
    },
  },
  invariants: [
    { name: 'payments_credited_once', http: 'GET /internal/payments/invariants/credited-once', expect: 200 },
    { name: 'payments_no_credit_for_bad_signature', http: 'GET /internal/payments/invariants/no-credit-for-bad-signature', expect: 200 },
    { name: 'payments_invoices_final', http: 'GET /internal/payments/invariants/final-state', expect: 200 },
  ],
});
