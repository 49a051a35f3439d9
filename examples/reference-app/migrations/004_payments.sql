-- Payments (the Stripe-style provider mock): invoices the app opened, webhook events it took in, and credits.
-- `instance` is the app process that opened the invoice, so a run's invariants count only its own.
CREATE TABLE IF NOT EXISTS payment_invoices (
  id         text PRIMARY KEY,
  instance   text NOT NULL,
  tenant     text NOT NULL,
  user_id    text NOT NULL,
  amount     bigint NOT NULL CHECK (amount > 0),
  status     text NOT NULL CHECK (status IN ('open', 'paid')),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  paid_at    timestamptz
);
CREATE INDEX IF NOT EXISTS payment_invoices_instance_idx ON payment_invoices (instance);

-- Every webhook event id taken in (webhook-dedup): a second delivery of one is acknowledged and ignored.
CREATE TABLE IF NOT EXISTS payment_events (
  event_id    text PRIMARY KEY,
  type        text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- One row per credit. No unique constraint on purpose: the mitigation, not the schema, keeps it at one per invoice,
-- so the scenario can show what happens without it. signature_valid is an audit of the delivery that caused it.
CREATE TABLE IF NOT EXISTS payment_ledger (
  id              bigserial PRIMARY KEY,
  invoice_id      text NOT NULL,
  instance        text NOT NULL,
  user_id         text NOT NULL,
  amount          bigint NOT NULL,
  signature_valid boolean NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS payment_ledger_invoice_idx ON payment_ledger (invoice_id);
