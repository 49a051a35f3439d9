-- Auth & config (load plan S1): what GET /api/me reads (a user's profile) and GET /api/config
-- adds per tenant (its settings). The plan's 5,000 users (ac-user-1 … ac-user-5000 of the
-- demo tenant) are seeded here; any other user gets a profile on first sign-in.
CREATE TABLE IF NOT EXISTS profiles (
  tenant       text NOT NULL,
  user_id      text NOT NULL,
  display_name text NOT NULL,
  avatar_url   text,
  locale       text NOT NULL DEFAULT 'en',
  plan         text NOT NULL DEFAULT 'free',
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, user_id)
);
INSERT INTO profiles (tenant, user_id, display_name, avatar_url, locale, plan)
SELECT 'demo', 'ac-user-' || n, (ARRAY['Ada', 'Bo', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal'])[1 + n % 8] || ' ' || n,
       'https://avatars.example/' || n || '.png', (ARRAY['en', 'de', 'fr', 'es'])[1 + n % 4], CASE WHEN n % 10 = 0 THEN 'pro' ELSE 'free' END
FROM generate_series(1, 5000) AS n
ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS tenant_settings (
  tenant     text PRIMARY KEY,
  features   jsonb NOT NULL DEFAULT '{}',
  limits     jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tenant_settings (tenant, features, limits)
VALUES ('demo', '{"gifts": true, "chat": true, "embed": true, "payments": true, "votes": true}', '{"claimsPerMinute": 30, "chatPostsPerSecond": 3}')
ON CONFLICT DO NOTHING;
