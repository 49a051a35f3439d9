-- Votes (load plan S4): one ledger row per accepted vote, the tallies the hot path keeps, and
-- the Idempotency-Keys the idempotency mitigation records in the vote's own statement.
CREATE TABLE IF NOT EXISTS vote_ledger (
  id              bigserial PRIMARY KEY,
  tenant          text NOT NULL,
  user_id         text NOT NULL,
  poll_id         text NOT NULL,
  option          text NOT NULL,
  idempotency_key text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vote_ledger_key ON vote_ledger (tenant, user_id, idempotency_key);
CREATE INDEX IF NOT EXISTS vote_ledger_poll ON vote_ledger (poll_id, option);

CREATE TABLE IF NOT EXISTS vote_tallies (
  poll_id text NOT NULL,
  option  text NOT NULL,
  votes   bigint NOT NULL,
  PRIMARY KEY (poll_id, option)
);

CREATE TABLE IF NOT EXISTS vote_keys (
  tenant          text NOT NULL,
  user_id         text NOT NULL,
  idempotency_key text NOT NULL,
  PRIMARY KEY (tenant, user_id, idempotency_key)
);
