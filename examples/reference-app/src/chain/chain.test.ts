import { mnemonicToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { accountOf } from './chain.ts';

describe('accountOf', () => {
  it('derives the same account as viem mnemonicToAccount', () => {
    const mnemonic = 'test test test test test test test test test test test junk';
    for (const index of [0, 3, 9]) expect(accountOf(mnemonic, index).address).toBe(mnemonicToAccount(mnemonic, { addressIndex: index }).address);
  });
});
