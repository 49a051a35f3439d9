-- The live event of each streamer: what EVENT_UPDATED announces and GET /api/events/live serves.
CREATE TABLE IF NOT EXISTS live_events (
  streamer_id text PRIMARY KEY,
  version bigint NOT NULL,
  payload jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
