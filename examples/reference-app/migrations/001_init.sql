-- Gifts (red packets), their claims, the payout ledger, idempotency keys and chat messages.
CREATE TABLE app_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE gifts (
  id               bigserial PRIMARY KEY,
  tenant           text NOT NULL,
  creator          text NOT NULL,
  asset            text NOT NULL CHECK (asset IN ('ETH', 'TOKEN')),
  token_address    text,
  amount_per_share numeric(78, 0) NOT NULL CHECK (amount_per_share > 0),
  total_shares     integer NOT NULL CHECK (total_shares > 0),
  claimed_shares   integer NOT NULL DEFAULT 0,
  message          text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per share taken. status: pending (recorded, transfer not confirmed), confirmed, failed (share released).
CREATE TABLE claims (
  id           bigserial PRIMARY KEY,
  gift_id      bigint NOT NULL REFERENCES gifts (id),
  tenant       text NOT NULL,
  user_id      text NOT NULL,
  wallet       text NOT NULL,
  amount       numeric(78, 0) NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
  tx_hash      text,
  source       text NOT NULL DEFAULT 'api',
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz
);
CREATE INDEX claims_gift ON claims (gift_id);
CREATE INDEX claims_wallet ON claims (wallet);

-- The idempotency mitigation inserts here in the claim's transaction: the database itself
-- refuses a second claim by the same wallet, even when two requests race.
CREATE TABLE claim_guards (
  gift_id  bigint NOT NULL REFERENCES gifts (id),
  wallet   text NOT NULL,
  claim_id bigint NOT NULL REFERENCES claims (id),
  PRIMARY KEY (gift_id, wallet)
);

-- Money that left the treasury: one row per confirmed transfer.
CREATE TABLE ledger (
  id            bigserial PRIMARY KEY,
  claim_id      bigint NOT NULL REFERENCES claims (id),
  gift_id       bigint NOT NULL REFERENCES gifts (id),
  wallet        text NOT NULL,
  asset         text NOT NULL,
  token_address text,
  amount        numeric(78, 0) NOT NULL,
  tx_hash       text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_claim ON ledger (claim_id);

CREATE TABLE idempotency_keys (
  tenant          text NOT NULL,
  user_id         text NOT NULL,
  key             text NOT NULL,
  request_hash    text NOT NULL,
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, user_id, key)
);

CREATE TABLE messages (
  id         bigserial PRIMARY KEY,
  tenant     text NOT NULL,
  room_id    text NOT NULL,
  user_id    text NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Cursor pagination walks this index newest first.
CREATE INDEX messages_room_created ON messages (tenant, room_id, created_at DESC, id DESC);
