import { privateKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { addressOf, deriveWallets } from './registry.ts';

describe('wallet derivation', () => {
  it('gives addresses that match their private keys (checked with viem), all distinct, same for the same seed', () => {
    const wallets = deriveWallets(9, 25);
    for (const wallet of wallets) expect(wallet.address).toBe(privateKeyToAddress(wallet.privateKey));
    expect(new Set(wallets.map((w) => w.address)).size).toBe(25);
    expect(deriveWallets(9, 25)).toEqual(wallets);
    expect(deriveWallets(10, 1)[0]!.address).not.toBe(wallets[0]!.address);
    expect(addressOf(wallets[3]!.privateKey)).toBe(wallets[3]!.address);
  });
});
