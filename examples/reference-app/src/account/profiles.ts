import type pg from 'pg';

/** A user's profile row (table `profiles`, migration 005). */
export interface Profile {
  displayName: string;
  avatarUrl: string | null;
  locale: string;
  plan: string;
  createdAt: string;
}

const COLUMNS = `display_name AS "displayName", avatar_url AS "avatarUrl", locale, plan, created_at AS "createdAt"`;

/**
 * The caller's profile; a user seen for the first time gets one (display name = user id),
 * as a real sign-in would create it.
 */
export async function loadProfile(pool: pg.Pool, tenant: string, user: string): Promise<Profile> {
  const found = await pool.query<Profile>(`SELECT ${COLUMNS} FROM profiles WHERE tenant = $1 AND user_id = $2`, [tenant, user]);
  if (found.rows[0]) return found.rows[0];
  const created = await pool.query<Profile>(
    `INSERT INTO profiles (tenant, user_id, display_name) VALUES ($1, $2, $2) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [tenant, user],
  );
  if (created.rows[0]) return created.rows[0];
  // Created meanwhile by a concurrent first request of the same user.
  return (await pool.query<Profile>(`SELECT ${COLUMNS} FROM profiles WHERE tenant = $1 AND user_id = $2`, [tenant, user])).rows[0]!;
}
