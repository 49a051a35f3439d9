import type pg from 'pg';
import { type Address, getAddress, parseEther } from 'viem';
import type { Treasury } from './chain/chain.ts';

export const SEED_TENANT = 'demo';
export const SEED_ROOM = 'general';
const TOKEN_SUPPLY = parseEther('1000000000');
const SEED_LOCK = 4_242_002;

/**
 * Deploys the test token on first start (or after the chain was reset), and seeds gifts
 * and a chat room once. Under an advisory lock: several instances may start together.
 */
export async function seed(pool: pg.Pool, treasury: Treasury, gifts: number): Promise<{ token: Address; deployed: boolean; giftsCreated: number }> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SEED_LOCK]);
    const key = `token_address:${treasury.chainId}`;
    const { rows } = await client.query<{ value: string }>('SELECT value FROM app_meta WHERE key = $1', [key]);
    let token = rows[0] ? getAddress(rows[0].value) : undefined;
    let deployed = false;
    if (!token || !(await treasury.hasCode(token))) {
      token = await treasury.deployToken(TOKEN_SUPPLY);
      deployed = true;
      await client.query('INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2', [key, token]);
    }
    const { rows: count } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM gifts');
    let giftsCreated = 0;
    if (count[0]!.n === 0 && gifts > 0) {
      // Half in ETH, half in the token; 20 shares each: 100 gifts cost the treasury 1 ETH and 1000 tokens.
      await client.query(
        `INSERT INTO gifts (tenant, creator, asset, token_address, amount_per_share, total_shares, message)
         SELECT $1, 'seed', CASE WHEN i % 2 = 0 THEN 'ETH' ELSE 'TOKEN' END, CASE WHEN i % 2 = 0 THEN NULL ELSE $2 END,
                CASE WHEN i % 2 = 0 THEN $3::numeric ELSE $4::numeric END, 20, 'seeded gift #' || i
         FROM generate_series(1, $5::int) AS i`,
        [SEED_TENANT, token, parseEther('0.001').toString(), parseEther('1').toString(), gifts],
      );
      await client.query(
        `INSERT INTO messages (tenant, room_id, user_id, body, created_at)
         SELECT $1, $2, 'seed', 'welcome message #' || i, now() - make_interval(secs => 100 - i) FROM generate_series(1, 50) AS i`,
        [SEED_TENANT, SEED_ROOM],
      );
      giftsCreated = gifts;
    }
    return { token, deployed, giftsCreated };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK]).catch(() => {});
    client.release();
  }
}
