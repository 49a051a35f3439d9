import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { verifySignature } from './signature.ts';

describe('verifySignature', () => {
  // The official SDK makes the header: what the app accepts is what Stripe signs.
  const stripe = new Stripe('sk_test_faultline');
  const secret = 'whsec_test';
  const body = JSON.stringify({ id: 'evt_1', type: 'invoice.paid' });

  it('accepts a header made by stripe.webhooks.generateTestHeaderString and refuses a wrong secret, a changed body and an old one', () => {
    const now = Math.floor(Date.now() / 1000);
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now });
    expect(verifySignature(secret, body, header, now)).toEqual({ ok: true });
    expect(verifySignature('whsec_other', body, header, now)).toMatchObject({ ok: false, why: 'no v1 signature matches the payload' });
    expect(verifySignature(secret, `${body} `, header, now)).toMatchObject({ ok: false });
    expect(verifySignature(secret, body, header, now + 301)).toMatchObject({ ok: false, why: 'signed 301 s ago, beyond the 300 s tolerance' });
    expect(verifySignature(secret, body, undefined, now)).toMatchObject({ ok: false });
  });
});
