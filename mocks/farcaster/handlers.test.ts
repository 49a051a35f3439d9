import { type Message, MessageData, NobleEd25519Signer, validations } from '@farcaster/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFarcasterHub, farcasterHandlers } from './handlers.ts';
import { encodeMessage, frameActionMessage, verificationMessages } from './messages.ts';
import { deriveKey, FarcasterRegistry } from './registry.ts';

const HUB = 'https://hub.farcaster.test';
const hub = createFarcasterHub({ seed: 42, users: 5 });
const server = setupServer(...hub.handlers);
const user = hub.registry.users[1]!;
const action = () => frameActionMessage(user, hub.registry.network, { url: 'https://frames.example/claim', buttonIndex: 2, inputText: 'gm', timestamp: Date.UTC(2025, 0, 1) });

const validate = (bytes: Uint8Array) => fetch(`${HUB}/v1/validateMessage`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
const frameValidate = (bytes: Uint8Array) =>
  fetch(`${HUB}/v2/farcaster/frame/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message_bytes_in_hex: Buffer.from(bytes).toString('hex') }) });
const applyFault = (spec: object) => fetch(`${HUB}/__faultline/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => hub.controller.reset());
afterAll(() => server.close());

describe('farcaster registry', () => {
  it('derives the same users, signer keys and wallets from the same seed, and others from another seed', async () => {
    const a = new FarcasterRegistry(7, { users: 3, firstFid: 1000, verificationsPerUser: 2, network: 'mainnet' });
    const b = new FarcasterRegistry(7, { users: 3, firstFid: 1000, verificationsPerUser: 2, network: 'mainnet' });
    const c = new FarcasterRegistry(8, { users: 3, firstFid: 1000, verificationsPerUser: 2, network: 'mainnet' });
    expect(a.users.map((u) => [u.fid, u.username, u.verifiedAddresses, u.custodyAddress])).toEqual(b.users.map((u) => [u.fid, u.username, u.verifiedAddresses, u.custodyAddress]));
    expect(await a.users[0]!.signerKey()).toEqual(await b.users[0]!.signerKey());
    expect(c.verifiedAddresses()).not.toEqual(a.verifiedAddresses());
    expect(new Set(a.verifiedAddresses()).size).toBe(6);
    expect(a.users[0]!.wallets[0]!.verifiedAt).toBeLessThan(a.users[0]!.wallets[1]!.verifiedAt);
  });
});

describe('farcaster hub handlers in msw setupServer', () => {
  it('validates a signed frame action and answers with the message in Hubble JSON', async () => {
    const message = await action();
    const response = await validate(encodeMessage(message));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { valid: boolean; message: any };
    expect(body.valid).toBe(true);
    expect(body.message.data).toMatchObject({ type: 'MESSAGE_TYPE_FRAME_ACTION', fid: user.fid, network: 'FARCASTER_NETWORK_MAINNET', frameActionBody: { buttonIndex: 2 } });
    expect(body.message.hash).toBe(`0x${Buffer.from(message.hash).toString('hex')}`);
    expect(body.message.signer).toBe(`0x${Buffer.from(await user.signerKey()).toString('hex')}`);
    expect(body.message.hashScheme).toBe('HASH_SCHEME_BLAKE3');
  });

  it('rejects a frame action whose data was tampered with, one signed by an unregistered key, and garbage', async () => {
    const bytes = encodeMessage(await action());
    const tampered = Uint8Array.from(bytes);
    tampered[Buffer.from(bytes).indexOf('frames.example')]! ^= 0x01; // "frames" → "grames": the hash no longer matches
    const tamperedResponse = await validate(tampered);
    expect(tamperedResponse.status).toBe(400);
    expect(await tamperedResponse.json()).toMatchObject({ errCode: expect.stringMatching(/^bad_request/), name: 'HubError', code: 3 });

    const forged = await frameActionMessage(user, hub.registry.network, { url: 'https://frames.example/claim', buttonIndex: 1, timestamp: Date.UTC(2025, 0, 1) }, new NobleEd25519Signer(deriveKey(999, 'attacker')));
    const forgedResponse = await validate(encodeMessage(forged));
    expect(forgedResponse.status).toBe(400);
    expect(((await forgedResponse.json()) as { details: string }).details).toMatch(/invalid signer/);

    expect((await validate(Uint8Array.from([0xff, 0xff, 0xff]))).status).toBe(400);
    expect((await (await frameValidate(tampered)).json()) as object).toEqual({ valid: false });
    expect((await (await frameValidate(encodeMessage(forged))).json()) as object).toEqual({ valid: false });
  });

  it('rejects a message whose data was swapped while the original dataBytes still hash right', async () => {
    const message = await action();
    const other = await frameActionMessage(hub.registry.users[2]!, hub.registry.network, { url: 'https://frames.example/claim', buttonIndex: 2, timestamp: Date.UTC(2025, 0, 1) });
    // The original dataBytes (which hash and sign right) next to another user's `data`.
    const swapped: Message = { ...message, data: other.data, dataBytes: MessageData.encode(message.data!).finish() };
    expect((await validations.validateMessage(swapped)).isOk()).toBe(true); // the library alone would accept it
    expect((await validate(encodeMessage(swapped))).status).toBe(400);
  });

  it('answers frame/validate with the interactor, their verified addresses (newest first), button, input and cast', async () => {
    const response = await frameValidate(encodeMessage(await action()));
    const body = (await response.json()) as any;
    expect(body.valid).toBe(true);
    expect(body.action).toMatchObject({
      object: 'validated_frame_action',
      url: 'https://frames.example/claim',
      tapped_button: { index: 2 },
      input: { text: 'gm' },
      interactor: { object: 'user', fid: user.fid, username: user.username, custody_address: user.custodyAddress.toLowerCase() },
      cast: { object: 'cast', author: { fid: user.fid } },
    });
    expect(body.action.interactor.verified_addresses.eth_addresses).toEqual([...user.verifiedAddresses].reverse().map((a) => a.toLowerCase()));
  });

  it('serves userDataByFid and verificationsByFid as Hubble messages that themselves validate', async () => {
    const userData = (await (await fetch(`${HUB}/v1/userDataByFid?fid=${user.fid}`)).json()) as { messages: any[]; nextPageToken: string };
    expect(userData.nextPageToken).toBe('');
    expect(Object.fromEntries(userData.messages.map((m) => [m.data.userDataBody.type, m.data.userDataBody.value]))).toMatchObject({
      USER_DATA_TYPE_USERNAME: user.username,
      USER_DATA_TYPE_DISPLAY: user.displayName,
      USER_DATA_TYPE_PFP: user.pfpUrl,
    });
    expect(userData.messages.every((m) => m.data.type === 'MESSAGE_TYPE_USER_DATA_ADD' && /^0x[0-9a-f]{40}$/.test(m.hash))).toBe(true);
    const one = (await (await fetch(`${HUB}/v1/userDataByFid?fid=${user.fid}&user_data_type=6`)).json()) as any;
    expect(one.data.userDataBody).toEqual({ type: 'USER_DATA_TYPE_USERNAME', value: user.username });

    const verifications = (await (await fetch(`${HUB}/v1/verificationsByFid?fid=${user.fid}`)).json()) as { messages: any[] };
    expect(verifications.messages.map((m) => m.data.verificationAddAddressBody.address)).toEqual(user.verifiedAddresses.map((a) => a.toLowerCase()));
    expect(verifications.messages[0].data).toMatchObject({ type: 'MESSAGE_TYPE_VERIFICATION_ADD_ETH_ADDRESS', verificationAddAddressBody: { protocol: 'PROTOCOL_ETHEREUM' } });
    // Real messages: what the hub serves validates (hash, ed25519 and the wallet's EIP-712 claim signature).
    const built = await verificationMessages(user, hub.registry.network);
    expect(verifications.messages.map((m) => m.hash)).toEqual(built.map((m) => `0x${Buffer.from(m.hash).toString('hex')}`));
    for (const message of built) expect((await validations.validateMessage(message)).isOk()).toBe(true);

    expect(await (await fetch(`${HUB}/v1/userDataByFid?fid=1`)).json()).toEqual({ messages: [], nextPageToken: '' });
    expect((await fetch(`${HUB}/v1/userDataByFid`)).status).toBe(400);
  });

  it('looks users up by fid in bulk, skipping unknown fids', async () => {
    const body = (await (await fetch(`${HUB}/v2/farcaster/user/bulk?fids=${user.fid},1,${user.fid + 1}`)).json()) as { users: any[] };
    expect(body.users.map((u) => u.fid)).toEqual([user.fid, user.fid + 1]);
    expect((await fetch(`${HUB}/v2/farcaster/user/bulk?fids=abc`)).status).toBe(400);
  });

  it('goes down with 503 on every route while a down fault is active, and only on its target', async () => {
    expect((await applyFault({ type: 'down', target: 'neynar' })).status).toBe(201);
    expect((await fetch(`${HUB}/v2/farcaster/user/bulk?fids=${user.fid}`)).status).toBe(503);
    expect((await fetch(`${HUB}/v1/info`)).status).toBe(200);
    await applyFault({ type: 'down' });
    expect((await fetch(`${HUB}/v1/info`)).status).toBe(503);
    expect((await validate(encodeMessage(await action()))).status).toBe(503);
  });

  it('hides the newest verification under a stale-verifications fault', async () => {
    await applyFault({ type: 'stale-verifications' });
    const verifications = (await (await fetch(`${HUB}/v1/verificationsByFid?fid=${user.fid}`)).json()) as { messages: any[] };
    expect(verifications.messages.map((m) => m.data.verificationAddAddressBody.address)).toEqual([user.verifiedAddresses[0]!.toLowerCase()]);
    const body = (await (await frameValidate(encodeMessage(await action()))).json()) as any;
    expect(body.action.interactor.verified_addresses.eth_addresses).toEqual([user.verifiedAddresses[0]!.toLowerCase()]);
  });

  it('fails genuine validations under a validation-errors fault, as invalid or as an error', async () => {
    const bytes = encodeMessage(await action());
    await applyFault({ type: 'validation-errors', rate: 1 });
    expect((await validate(bytes)).status).toBe(400);
    expect(await (await frameValidate(bytes)).json()).toEqual({ valid: false });
    await applyFault({ type: 'validation-errors', rate: 1, mode: 'error' });
    expect((await validate(bytes)).status).toBe(500);
  });

  it('delays answers under a slow fault', async () => {
    await applyFault({ type: 'slow', latency: { kind: 'fixed', ms: 150 } });
    const started = performance.now();
    expect((await fetch(`${HUB}/v1/info`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('refuses a bad control request with 400 naming the field, applying nothing', async () => {
    const response = await applyFault({ type: 'slow', latency: { kind: 'fixed', ms: -1 } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { field: string } }).error.field).toMatch(/^latency/);
    expect(((await applyFault({ type: 'down', target: 'warpcast' })).status)).toBe(400);
    expect(hub.controller.list()).toEqual([]);
  });

  it('takes the same fault decisions for the same seed and request sequence', async () => {
    const decisions = async (seed: number) => {
      const other = createFarcasterHub({ seed, users: 2 });
      const local = setupServer(...other.handlers);
      server.close();
      local.listen();
      try {
        other.controller.apply({ type: 'validation-errors', rate: 0.5 });
        const bytes = encodeMessage(await frameActionMessage(other.registry.users[0]!, other.registry.network, { url: 'https://f.example', buttonIndex: 1, timestamp: Date.UTC(2025, 0, 1) }));
        const out: number[] = [];
        for (let i = 0; i < 16; i++) out.push((await validate(bytes)).status);
        return out;
      } finally {
        local.close();
        server.listen({ onUnhandledRequest: 'error' });
      }
    };
    const first = await decisions(5);
    expect(first).toEqual(await decisions(5));
    expect(new Set(first)).toEqual(new Set([200, 400]));
    expect(first).not.toEqual(await decisions(6));
  });

  it('is reusable as a plain handler list', () => {
    expect(farcasterHandlers({ seed: 1, users: 1 }).length).toBeGreaterThan(5);
  });
});
