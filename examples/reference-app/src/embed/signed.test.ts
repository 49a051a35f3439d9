import { describe, expect, it } from 'vitest';
import { sign, verify } from './signed.ts';

describe('sign / verify', () => {
  it('round-trips a value and refuses a tampered or foreign one', () => {
    const token = sign('s', { nonce: 'n1', exp: 5 });
    expect(verify('s', token)).toEqual({ nonce: 'n1', exp: 5 });
    expect(verify('other', token)).toBeUndefined();
    const [body, mac] = token.split('.');
    expect(verify('s', `${Buffer.from('{"nonce":"n2","exp":5}').toString('base64url')}.${mac}`)).toBeUndefined();
    expect(verify('s', body!)).toBeUndefined();
  });
});
