import { createPublicClient, getAddress, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../examples/reference-app/src/app.ts';
import { testTokenAbi } from '../../examples/reference-app/src/chain/test-token.ts';
import type { Environment } from '../../env/environment.ts';
import { generateFrameActionPool, type PooledFrameAction } from '../../mocks/farcaster/actions.ts';
import { testEnvironment } from '../support/environment.ts';
import { startTestApp } from './app.ts';

let env: Environment;
let app: App;
let actions: PooledFrameAction[];

beforeAll(async () => {
  env = await testEnvironment({ services: { postgres: true, redis: true, anvil: true, farcaster: true } });
  app = await startTestApp(env);
  // Signed by the same seeded users the hub mock knows.
  actions = (await generateFrameActionPool({ seed: env.seed, count: 3 })).actions;
});

afterAll(async () => {
  await app?.close();
  await env?.stop();
});

const press = async (giftId: number, payload: unknown) => {
  const response = await fetch(`${app.url}/api/frames/gifts/${giftId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: response.status, body: await response.json(), replayed: response.headers.get('idempotent-replayed') };
};

describe('reference app: frame claims', () => {
  it("validates the frame action with the hub and pays the fid's verified wallet on chain", async () => {
    const action = actions[0]!;
    const answer = await press(5, action.payload);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ fid: action.fid, claim: { giftId: 5, status: 'confirmed', wallet: getAddress(action.verifiedAddress) } });
    const chain = createPublicClient({ transport: http(env.env.ANVIL_DIRECT_URL) });
    const balance = await chain.readContract({ address: (await (await fetch(`${app.url}/api/config/public`)).json()).token, abi: testTokenAbi, functionName: 'balanceOf', args: [getAddress(action.verifiedAddress)] });
    expect(balance).toBe(BigInt(answer.body.claim.amount));
  });

  it('answers a resent frame action with the first result', async () => {
    const action = actions[1]!;
    const first = await press(9, action.payload);
    const again = await press(9, action.payload);
    expect(first.status).toBe(200);
    expect(again).toEqual({ ...first, replayed: 'true' });
  });

  it('refuses a frame action the hub does not validate with 403', async () => {
    const bytes = actions[2]!.payload.trustedData.messageBytes;
    const tampered = bytes.slice(0, -2) + (bytes.endsWith('00') ? '01' : '00');
    const answer = await press(11, { ...actions[2]!.payload, trustedData: { messageBytes: tampered } });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('invalid_frame_message');
  });

  it('answers 503 when the hub is down, and claims nothing', async () => {
    const proxy = await env.toxiproxy.get('farcaster');
    const { listen, upstream } = proxy;
    await proxy.update({ enabled: false, listen, upstream });
    try {
      const answer = await press(13, actions[2]!.payload);
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('hub_unavailable');
    } finally {
      await proxy.update({ enabled: true, listen, upstream });
    }
    const gift = await (await fetch(`${app.url}/api/invariants`)).json();
    expect(gift.ok).toBe(true);
  });
});
