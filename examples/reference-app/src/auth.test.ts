import { describe, expect, it } from 'vitest';
import { authenticate, AuthError, signToken, walletFor } from './auth.ts';

describe('authenticate', () => {
  it('accepts a token signed with the secret and returns tenant, user and a derived wallet', async () => {
    const token = await signToken({ tenant: 'acme', user: 'alice' }, 's3cret');
    const caller = await authenticate(`Bearer ${token}`, 's3cret');
    expect(caller).toEqual({ tenant: 'acme', user: 'alice', wallet: walletFor('acme', 'alice') });
  });
  it('uses the wallet claim when the token carries one', async () => {
    const wallet = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const caller = await authenticate(`Bearer ${await signToken({ tenant: 'acme', user: 'bob', wallet }, 's')}`, 's');
    expect(caller.wallet).toBe(wallet);
  });
  it('rejects a token signed with another secret', async () => {
    const token = await signToken({ tenant: 'acme', user: 'alice' }, 'other');
    await expect(authenticate(`Bearer ${token}`, 's3cret')).rejects.toThrow(AuthError);
  });
  it('rejects a missing header', async () => {
    await expect(authenticate(undefined, 's')).rejects.toThrow(/no bearer token/);
  });
  it('gives different users different wallets', () => {
    expect(walletFor('acme', 'alice')).not.toBe(walletFor('acme', 'bob'));
    expect(walletFor('acme', 'alice')).not.toBe(walletFor('other', 'alice'));
  });
});
