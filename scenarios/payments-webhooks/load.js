// Users open an invoice (POST /api/payments/invoices); the provider pays it and tells the app by webhook.
import http from 'k6/http';
import { Rate } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, runUser } from '../support/app.js';

/** Share of users whose invoice was opened (201). */
export const opened = new Rate('invoices_opened');

export const options = faultline.options();
export const setup = faultline.setup;

export const buyers = faultline.iteration(() => {
  const params = asUser(runUser('buyer'));
  params.tags = { name: 'invoice' };
  params.timeout = '10s';
  const response = http.post(`${faultline.target}/api/payments/invoices`, JSON.stringify({ amount: 100 }), params);
  opened.add(response.status === 201);
});

/** Open invoices are expected while the last webhooks are on their way: 409 is an answer here, not a failure. */
const settling = http.expectedStatuses(200, 409);

export const watchers = faultline.iteration(() => {
  http.get(`${faultline.target}/internal/payments/invariants/final-state`, { tags: { name: 'settling' }, responseCallback: settling });
});
