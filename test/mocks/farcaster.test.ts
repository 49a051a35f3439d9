import { createPublicClient, http, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../env/environment.ts';
import { MockControl, MockControlError } from '../../mocks/control/client.ts';
import { encodeMessage, frameActionMessage } from '../../mocks/farcaster/messages.ts';
import { FarcasterRegistry } from '../../mocks/farcaster/registry.ts';
import { testEnvironment } from '../support/environment.ts';

const SEED = 4242;
let env: Environment;
let hubUrl: string;
let control: MockControl;
// The test derives the same registry the mock process does, from the same seed and options.
const registry = new FarcasterRegistry(SEED, { users: 200, firstFid: 1000, verificationsPerUser: 2, network: 'mainnet' });
const user = registry.users[17]!;

const frameValidate = (bytes: Uint8Array) =>
  fetch(`${hubUrl}/v2/farcaster/frame/validate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'faultline' },
    body: JSON.stringify({ message_bytes_in_hex: `0x${Buffer.from(bytes).toString('hex')}` }),
  });
const action = () => frameActionMessage(user, registry.network, { url: 'https://frames.example/gift', buttonIndex: 1, timestamp: Date.UTC(2025, 0, 1) });

beforeAll(async () => {
  env = await testEnvironment({ seed: SEED, services: { anvil: {}, farcaster: { users: 200 } } });
  hubUrl = env.services.farcaster!.url;
  control = new MockControl(env.services.farcaster!.directUrl);
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe('farcaster hub mock under env:up', () => {
  it('publishes FARCASTER_HUB_URL (through Toxiproxy) and its direct twin, and reports its seed', async () => {
    expect(env.env.FARCASTER_HUB_URL).toBe(hubUrl);
    expect(env.env.FARCASTER_HUB_DIRECT_URL).toBe(env.services.farcaster!.directUrl);
    expect(await control.health()).toEqual({ ok: true, service: 'farcaster', seed: SEED });
  });

  it("validates a signed frame action through the proxy, and the interactor's verified address holds ETH on anvil", async () => {
    const response = await frameValidate(encodeMessage(await action()));
    const body = (await response.json()) as { valid: boolean; action: { interactor: { fid: number; verified_addresses: { eth_addresses: `0x${string}`[] } } } };
    expect(body.valid).toBe(true);
    expect(body.action.interactor.fid).toBe(user.fid);
    const [address] = body.action.interactor.verified_addresses.eth_addresses;
    expect(address).toBe(user.wallets.at(-1)!.address.toLowerCase());
    const chain = createPublicClient({ chain: foundry, transport: http(env.services.anvil!.url) });
    expect(await chain.getBalance({ address: address! })).toBe(parseEther('100'));
    expect(await chain.getBalance({ address: user.wallets[0]!.address })).toBe(parseEther('100'));
  });

  it('rejects a tampered frame action on both APIs', async () => {
    const bytes = encodeMessage(await action());
    const tampered = Uint8Array.from(bytes);
    tampered[Buffer.from(bytes).indexOf('gift')]! ^= 0x20; // "gift" → "Gift"
    expect(await (await frameValidate(tampered)).json()).toEqual({ valid: false });
    const hub = await fetch(`${hubUrl}/v1/validateMessage`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(tampered) });
    expect(hub.status).toBe(400);
    expect(await hub.json()).toMatchObject({ name: 'HubError', errCode: expect.stringMatching(/^bad_request/) });
  });

  it('serves userDataByFid and verificationsByFid for the same registry', async () => {
    const userData = (await (await fetch(`${hubUrl}/v1/userDataByFid?fid=${user.fid}`)).json()) as { messages: { data: { userDataBody: { type: string; value: string } } }[] };
    expect(userData.messages.find((m) => m.data.userDataBody.type === 'USER_DATA_TYPE_USERNAME')?.data.userDataBody.value).toBe(user.username);
    const verifications = (await (await fetch(`${hubUrl}/v1/verificationsByFid?fid=${user.fid}`)).json()) as { messages: { data: { verificationAddAddressBody: { address: string } } }[] };
    expect(verifications.messages.map((m) => m.data.verificationAddAddressBody.address)).toEqual(user.verifiedAddresses.map((a) => a.toLowerCase()));
  });

  it('goes down, slows down and serves stale verifications through the control API, then recovers', async () => {
    const down = await control.apply({ type: 'down' });
    expect((await fetch(`${hubUrl}/v1/info`)).status).toBe(503);
    await control.clear(down.id);
    expect((await fetch(`${hubUrl}/v1/info`)).status).toBe(200);

    await control.apply({ type: 'slow', latency: { kind: 'fixed', ms: 200 }, ttlMs: 5_000 });
    const started = performance.now();
    await fetch(`${hubUrl}/v1/info`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);

    await control.apply({ type: 'stale-verifications', target: 'neynar' });
    const users = (await (await fetch(`${hubUrl}/v2/farcaster/user/bulk?fids=${user.fid}`)).json()) as { users: { verified_addresses: { eth_addresses: string[] } }[] };
    expect(users.users[0]!.verified_addresses.eth_addresses).toEqual([user.wallets[0]!.address.toLowerCase()]);

    const stats = await control.stats();
    expect(stats.requests['GET /v1/info']).toBe(3);
    expect(Object.values(stats.faults).map((f) => [f.type, f.hits])).toEqual([['down', 1], ['slow', 2], ['stale-verifications', 1]]); // slow has no target: it also delayed user/bulk
    await control.reset();
    expect(await control.list()).toEqual([]);
  });

  it('answers a bad control request with 400 naming the field', async () => {
    const error = await control.apply({ type: 'validation-errors', rate: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MockControlError);
    expect(error).toMatchObject({ status: 400, field: 'rate' });
    expect(await control.list()).toEqual([]);
  });
});
