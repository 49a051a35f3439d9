import { createHash } from 'node:crypto';
import { type Address, getAddress, type Hash, TransactionNotFoundError, TransactionReceiptNotFoundError } from 'viem';
import type { Asset } from '../chain/chain.ts';
import type { AppContext } from '../context.ts';
import { transaction } from '../db.ts';
import { HttpError } from '../http-error.ts';
import { acquireLock } from '../redis.ts';

export interface ClaimRequest {
  giftId: number;
  tenant: string;
  user: string;
  wallet: Address;
  source: 'api' | 'frame';
  idempotencyKey?: string;
}

export interface ClaimResult {
  status: number;
  body: { claim: ClaimView };
  /** True when an earlier response to the same Idempotency-Key was replayed. */
  replayed?: boolean;
}

export interface ClaimView {
  id: number;
  giftId: number;
  wallet: Address;
  asset: Asset;
  amount: string;
  status: 'pending' | 'confirmed' | 'failed';
  txHash: string | null;
}

interface GiftRow {
  id: number;
  tenant: string;
  asset: Asset;
  token_address: string | null;
  amount_per_share: string;
  total_shares: number;
  claimed_shares: number;
}

// Gift+wallet pairs whose claim request runs in this process (a count: several apps may share a test process).
// The reconciler leaves them to their request: one paying slowly is not a request that died.
const paying = new Map<string, number>();
const payingKey = (giftId: number, wallet: string) => `${giftId}:${wallet}`;

/** Claims one share of a gift for a wallet and pays it on chain; the idempotency mitigation picks the path. */
export async function claimGift(ctx: AppContext, request: ClaimRequest): Promise<ClaimResult> {
  const result = ctx.config.mitigations.idempotency ? await claimOnce(ctx, request) : await claimNaively(ctx, request);
  if (result.status === 200 && !result.replayed) {
    ctx.io.to(`gift:${request.giftId}`).emit('gift-claimed', { giftId: request.giftId, claim: result.body.claim });
  }
  ctx.metrics.claims.inc({ outcome: result.replayed ? 'replayed' : String(result.status) });
  return result;
}

/**
 * The mitigated path. An Idempotency-Key row and a Redis lock stop a retried or doubled
 * request before it does anything; the share, a pending claim and a guard row (primary
 * key gift+wallet) are written in one transaction *before* the transfer, so the database
 * refuses a second claim even if both got past the lock; the transfer hash is recorded
 * before it is sent, so a transfer is never lost.
 */
async function claimOnce(ctx: AppContext, request: ClaimRequest): Promise<ClaimResult> {
  const { pool, redis } = ctx;
  const key = request.idempotencyKey;
  const requestHash = createHash('sha256').update(`${request.giftId}:${request.wallet}`).digest('hex');
  if (key) {
    const inserted = await pool.query(
      `INSERT INTO idempotency_keys (tenant, user_id, key, request_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [request.tenant, request.user, key, requestHash],
    );
    if (inserted.rowCount === 0) {
      const { rows } = await pool.query('SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE tenant = $1 AND user_id = $2 AND key = $3', [
        request.tenant,
        request.user,
        key,
      ]);
      const previous = rows[0];
      if (previous && previous.request_hash !== requestHash) throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      if (previous?.response_status == null) throw new HttpError(409, 'claim_in_progress', 'A request with this Idempotency-Key is still being processed; retry later.', { 'retry-after': '1' });
      return { status: previous.response_status, body: previous.response_body, replayed: true };
    }
  }
  const forget = async () => {
    if (key) await pool.query('DELETE FROM idempotency_keys WHERE tenant = $1 AND user_id = $2 AND key = $3', [request.tenant, request.user, key]).catch(() => {});
  };
  const remember = async (result: ClaimResult) => {
    if (key) await pool.query('UPDATE idempotency_keys SET response_status = $4, response_body = $5 WHERE tenant = $1 AND user_id = $2 AND key = $3', [request.tenant, request.user, key, result.status, result.body]);
    return result;
  };

  let release: (() => Promise<void>) | undefined;
  const pair = payingKey(request.giftId, request.wallet);
  paying.set(pair, (paying.get(pair) ?? 0) + 1);
  try {
    release = await acquireLock(redis, `lock:claim:${request.giftId}:${request.wallet}`, 60_000).catch((error: Error) => {
      throw new HttpError(503, 'lock_unavailable', `Claims are paused: the lock service is unreachable (${error.message}).`, { 'retry-after': '2' });
    });
    if (!release) throw new HttpError(409, 'claim_in_progress', 'A claim for this wallet and gift is being processed.', { 'retry-after': '1' });

    const { claimId, gift, amount } = await transaction(pool, async (client) => {
      const gift = await lockGift(client, request);
      if (gift.claimed_shares >= gift.total_shares) throw new HttpError(409, 'gift_exhausted', 'Every share of this gift has been claimed.');
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO claims (gift_id, tenant, user_id, wallet, amount, status, source) VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id`,
        [gift.id, request.tenant, request.user, request.wallet, gift.amount_per_share, request.source],
      );
      const claimId = rows[0]!.id;
      const guard = await client.query('INSERT INTO claim_guards (gift_id, wallet, claim_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [gift.id, request.wallet, claimId]);
      if (guard.rowCount === 0) throw new HttpError(409, 'already_claimed', 'This wallet has already claimed this gift.');
      await client.query('UPDATE gifts SET claimed_shares = claimed_shares + 1 WHERE id = $1', [gift.id]);
      return { claimId, gift, amount: gift.amount_per_share };
    });

    let hash: Hash | undefined;
    try {
      await ctx.treasury.send(transferOf(ctx, gift, request.wallet), async (h) => {
        // Only a claim still pending may be paid: another instance's reconciler may have released it meanwhile.
        const { rowCount } = await pool.query(`UPDATE claims SET tx_hash = $2 WHERE id = $1 AND status = 'pending'`, [claimId, h]);
        if (!rowCount) throw new Error('the claim was released before its transfer was sent');
        hash = h;
      });
      await ctx.treasury.confirm(hash!);
    } catch (error) {
      const settled = hash ? await settle(ctx, claimId, hash) : await releaseShare(ctx, claimId, (error as Error).message);
      if (settled === 'failed') {
        await forget();
        throw new HttpError(502, 'transfer_failed', `The on-chain transfer failed; nothing was paid, retry later. (${shortMessage(error)})`);
      }
      if (settled === 'pending') return remember({ status: 202, body: { claim: view(claimId, gift, request.wallet, amount, 'pending', hash ?? null) } });
      return remember({ status: 200, body: { claim: view(claimId, gift, request.wallet, amount, 'confirmed', hash!) } });
    }
    await confirmClaim(ctx, claimId, hash!);
    return remember({ status: 200, body: { claim: view(claimId, gift, request.wallet, amount, 'confirmed', hash!) } });
  } catch (error) {
    // A 4xx is the final answer to this key; anything else may succeed on a retry.
    if (error instanceof HttpError && error.statusCode >= 400 && error.statusCode < 500 && error.code !== 'claim_in_progress') {
      await remember({ status: error.statusCode, body: { error: { code: error.code, message: error.message } } as never }).catch(() => {});
    } else if (!(error instanceof HttpError && error.code === 'claim_in_progress')) {
      await forget();
    }
    throw error;
  } finally {
    const left = paying.get(pair)! - 1;
    if (left) paying.set(pair, left);
    else paying.delete(pair);
    await release?.();
  }
}

/**
 * The path a team writes first: check that the wallet has not claimed, pay, then record
 * the claim. Correct one request at a time; a retry or a double tap that arrives while
 * the first is still paying passes the check too, and pays again.
 */
async function claimNaively(ctx: AppContext, request: ClaimRequest): Promise<ClaimResult> {
  const { pool } = ctx;
  const existing = await pool.query(`SELECT 1 FROM claims WHERE gift_id = $1 AND wallet = $2 AND status <> 'failed'`, [request.giftId, request.wallet]);
  if (existing.rowCount) throw new HttpError(409, 'already_claimed', 'This wallet has already claimed this gift.');
  const gift = await lockGift(pool, request);
  if (gift.claimed_shares >= gift.total_shares) throw new HttpError(409, 'gift_exhausted', 'Every share of this gift has been claimed.');
  let hash: Hash;
  try {
    hash = await ctx.treasury.send(transferOf(ctx, gift, request.wallet));
    await ctx.treasury.confirm(hash);
  } catch (error) {
    throw new HttpError(502, 'transfer_failed', `The on-chain transfer failed. (${shortMessage(error)})`);
  }
  const claimId = await transaction(pool, async (client) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO claims (gift_id, tenant, user_id, wallet, amount, status, tx_hash, source, confirmed_at) VALUES ($1, $2, $3, $4, $5, 'confirmed', $6, $7, now()) RETURNING id`,
      [gift.id, request.tenant, request.user, request.wallet, gift.amount_per_share, hash, request.source],
    );
    await client.query('UPDATE gifts SET claimed_shares = claimed_shares + 1 WHERE id = $1', [gift.id]);
    await insertLedger(client, rows[0]!.id);
    return rows[0]!.id;
  });
  return { status: 200, body: { claim: view(claimId, gift, request.wallet, gift.amount_per_share, 'confirmed', hash) } };
}

async function lockGift(client: { query: AppContext['pool']['query'] }, request: ClaimRequest): Promise<GiftRow> {
  const { rows } = await client.query<GiftRow>(
    'SELECT id, tenant, asset, token_address, amount_per_share, total_shares, claimed_shares FROM gifts WHERE id = $1 AND tenant = $2 FOR UPDATE',
    [request.giftId, request.tenant],
  );
  if (!rows[0]) throw new HttpError(404, 'gift_not_found', `Gift ${request.giftId} does not exist.`);
  return rows[0];
}

function transferOf(ctx: AppContext, gift: GiftRow, to: Address) {
  return { to, asset: gift.asset, amount: BigInt(gift.amount_per_share), token: gift.token_address ? getAddress(gift.token_address) : ctx.token };
}

async function insertLedger(client: { query: AppContext['pool']['query'] }, claimId: number): Promise<void> {
  await client.query(
    `INSERT INTO ledger (claim_id, gift_id, wallet, asset, token_address, amount, tx_hash)
     SELECT c.id, c.gift_id, c.wallet, g.asset, g.token_address, c.amount, c.tx_hash FROM claims c JOIN gifts g ON g.id = c.gift_id WHERE c.id = $1`,
    [claimId],
  );
}

async function confirmClaim(ctx: AppContext, claimId: number, hash: Hash): Promise<void> {
  await transaction(ctx.pool, async (client) => {
    const { rowCount } = await client.query(`UPDATE claims SET status = 'confirmed', tx_hash = $2, confirmed_at = now() WHERE id = $1 AND status = 'pending'`, [claimId, hash]);
    if (rowCount) await insertLedger(client, claimId);
  });
}

/** Gives the share back: the transfer is known not to have happened. */
async function releaseShare(ctx: AppContext, claimId: number, why: string): Promise<'failed'> {
  await transaction(ctx.pool, async (client) => {
    const { rows } = await client.query<{ gift_id: number }>(`UPDATE claims SET status = 'failed', error = $2 WHERE id = $1 AND status = 'pending' RETURNING gift_id`, [claimId, why.slice(0, 500)]);
    if (!rows[0]) return;
    await client.query('DELETE FROM claim_guards WHERE claim_id = $1', [claimId]);
    await client.query('UPDATE gifts SET claimed_shares = claimed_shares - 1 WHERE id = $1', [rows[0].gift_id]);
  });
  return 'failed';
}

/**
 * After an error once the hash is known: ask the chain what happened. Mined → confirm;
 * unknown to a node that answered → release the share; no answer → leave it pending
 * for the reconciler.
 */
async function settle(ctx: AppContext, claimId: number, hash: Hash): Promise<'confirmed' | 'failed' | 'pending'> {
  try {
    const receipt = await ctx.treasury.client.getTransactionReceipt({ hash });
    if (receipt.status === 'success') {
      await confirmClaim(ctx, claimId, hash);
      return 'confirmed';
    }
    return releaseShare(ctx, claimId, 'transfer reverted');
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) {
      // Not mined. It may still sit in the mempool: only release it once the node does not know it at all.
      // Only the node's own "not found" counts: a transport error (a 429, a timeout) says nothing about the mempool.
      const known = await ctx.treasury.client.getTransaction({ hash }).then(
        () => true,
        (error) => !(error instanceof TransactionNotFoundError),
      );
      if (!known) return releaseShare(ctx, claimId, 'transfer not found on chain');
    }
    return 'pending';
  }
}

/** Settles pending claims older than `olderThanMs` (their request died or the chain did not answer). */
export async function reconcilePending(ctx: AppContext, olderThanMs = 5_000): Promise<number> {
  const { rows } = await ctx.pool.query<{ id: number; gift_id: number; wallet: string; tx_hash: string | null }>(
    `SELECT id, gift_id, wallet, tx_hash FROM claims WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1) ORDER BY id LIMIT 50`,
    [olderThanMs / 1000],
  );
  let settled = 0;
  for (const row of rows) {
    if (paying.has(payingKey(row.gift_id, row.wallet))) continue;
    const outcome = row.tx_hash ? await settle(ctx, row.id, row.tx_hash as Hash) : await releaseShare(ctx, row.id, 'no transfer was sent');
    if (outcome !== 'pending') settled++;
  }
  return settled;
}

function view(id: number, gift: GiftRow, wallet: Address, amount: string, status: ClaimView['status'], txHash: string | null): ClaimView {
  return { id, giftId: gift.id, wallet, asset: gift.asset, amount, status, txHash };
}

function shortMessage(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e.shortMessage ?? e.message ?? String(error)).split('\n')[0]!;
}
