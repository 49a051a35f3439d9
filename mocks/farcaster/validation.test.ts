import { HashScheme, type Message, MessageData, validations } from '@farcaster/core';
import { describe, expect, it } from 'vitest';
import { encodeMessage, frameActionMessage } from './messages.ts';
import { FarcasterRegistry } from './registry.ts';
import { validateMessageBytes } from './validation.ts';

const registry = new FarcasterRegistry(3, { users: 2, firstFid: 77, verificationsPerUser: 1, network: 'mainnet' });
const genuine = () => frameActionMessage(registry.users[0]!, registry.network, { url: 'https://f.example', buttonIndex: 3, inputText: 'hi', timestamp: Date.UTC(2025, 5, 1) });

describe('validateMessageBytes', () => {
  it('agrees with @farcaster/core on genuine and broken messages', async () => {
    const message = await genuine();
    const flip = (bytes: Uint8Array) => Uint8Array.from(bytes, (b, i) => (i === 0 ? b ^ 1 : b));
    const variants: Message[] = [
      message,
      { ...message, signature: flip(message.signature) },
      { ...message, hash: flip(message.hash) },
      { ...message, hashScheme: HashScheme.NONE },
      { ...message, data: { ...message.data!, timestamp: message.data!.timestamp + 1 } },
    ];
    for (const variant of variants) {
      const core = (await validations.validateMessage(variant)).isOk();
      expect(validateMessageBytes(registry, encodeMessage(variant)).valid, JSON.stringify(Object.keys(variant))).toBe(core);
    }
    expect(variants.map((v) => validateMessageBytes(registry, encodeMessage(v)).valid)).toEqual([true, false, false, false, false]);
  });

  it('reads the frame action body from the signed bytes', async () => {
    const outcome = validateMessageBytes(registry, encodeMessage(await genuine()));
    expect(outcome).toMatchObject({ valid: true, data: { type: 13, fid: 77, network: 1, frameAction: { url: 'https://f.example', buttonIndex: 3, inputText: 'hi', castId: { fid: 77 } } } });
  });

  it('accepts a message carried in dataBytes only, and refuses data that disagrees with dataBytes', async () => {
    const message = await genuine();
    const dataBytes = MessageData.encode(message.data!).finish();
    expect(validateMessageBytes(registry, encodeMessage({ ...message, data: undefined, dataBytes })).valid).toBe(true);
    const other = await frameActionMessage(registry.users[1]!, registry.network, { url: 'https://f.example', buttonIndex: 3, timestamp: Date.UTC(2025, 5, 1) });
    expect(validateMessageBytes(registry, encodeMessage({ ...message, data: other.data, dataBytes }))).toMatchObject({ valid: false, error: { details: 'data and dataBytes do not match' } });
  });

  it('tells unparseable bytes apart from invalid messages', async () => {
    const bytes = encodeMessage(await genuine());
    expect(validateMessageBytes(registry, bytes.subarray(0, bytes.length - 5))).toMatchObject({ valid: false, unparseable: expect.any(String) });
    expect(validateMessageBytes(registry, new Uint8Array())).toMatchObject({ valid: false, unparseable: 'message has no data' });
  });

  it('refuses a genuine message for another network or an unregistered fid', async () => {
    const testnet = new FarcasterRegistry(3, { users: 2, firstFid: 77, verificationsPerUser: 1, network: 'testnet' });
    expect(validateMessageBytes(testnet, encodeMessage(await genuine()))).toMatchObject({ valid: false, error: { details: 'incorrect network' } });
    const elsewhere = new FarcasterRegistry(3, { users: 2, firstFid: 500, verificationsPerUser: 1, network: 'mainnet' });
    expect(validateMessageBytes(elsewhere, encodeMessage(await genuine()))).toMatchObject({ valid: false, error: { errCode: 'bad_request.unknown_fid' } });
  });
});
