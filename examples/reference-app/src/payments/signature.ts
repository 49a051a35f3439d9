import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default tolerance: a signature older than this is refused (a replay). */
export const TOLERANCE_SECONDS = 300;

/**
 * Checks a Stripe-Signature header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`)
 * as stripe.webhooks.constructEvent does: some v1 must match, and t must be within the tolerance.
 */
export function verifySignature(secret: string, rawBody: string, header: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): { ok: true } | { ok: false; why: string } {
  if (!header) return { ok: false, why: 'no Stripe-Signature header' };
  const parts = header.split(',').map((p) => p.split('=') as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (!Number.isInteger(t) || signatures.length === 0) return { ok: false, why: 'Stripe-Signature has no t= and v1=' };
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  if (!signatures.some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected))) return { ok: false, why: 'no v1 signature matches the payload' };
  if (Math.abs(nowSeconds - t) > TOLERANCE_SECONDS) return { ok: false, why: `signed ${nowSeconds - t} s ago, beyond the ${TOLERANCE_SECONDS} s tolerance` };
  return { ok: true };
}
