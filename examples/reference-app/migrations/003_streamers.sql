-- Streamer listing (load plan S2): the streamers a search runs over, 5,000 of them seeded here.
CREATE TABLE IF NOT EXISTS streamers (
  id           bigserial PRIMARY KEY,
  handle       text NOT NULL UNIQUE,
  display_name text NOT NULL,
  followers    integer NOT NULL,
  live         boolean NOT NULL DEFAULT false
);
INSERT INTO streamers (handle, display_name, followers, live)
SELECT 'streamer' || n, (ARRAY['Ada', 'Bo', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal'])[1 + n % 8] || ' ' || n, (n * 7919) % 100000, n % 5 = 0
FROM generate_series(1, 5000) AS n
ON CONFLICT (handle) DO NOTHING;
