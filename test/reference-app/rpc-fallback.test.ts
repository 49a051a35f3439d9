import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../examples/reference-app/src/app.ts';
import type { Environment } from '../../env/environment.ts';
import { MockControl } from '../../mocks/control/client.ts';
import { testEnvironment } from '../support/environment.ts';
import { startTestApp, userClient } from './app.ts';

// The app reaches the chain through the RPC gateway mock: RPC_URL = infura, RPC_FALLBACK_URL = alchemy.
let env: Environment;
let guarded: App;
let naive: App;
let control: MockControl;

beforeAll(async () => {
  env = await testEnvironment({ services: { postgres: true, redis: true, anvil: true, rpc: true } });
  control = new MockControl(env.env.RPC_GATEWAY_DIRECT_URL!);
  guarded = await startTestApp(env, 'all');
  naive = await startTestApp(env, '-rpc-fallback');
});

afterAll(async () => {
  await guarded?.close();
  await naive?.close();
  await env?.stop();
});

const rpcCalls = async (app: App, provider: string) => {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return Number(new RegExp(`rpc_calls_total\\{provider="${provider}",outcome="ok"\\} (\\d+)`).exec(text)?.[1] ?? 0);
};

describe('reference app mitigation: rpc-fallback', () => {
  it('pays claims through the fallback provider while the primary is down with it, and fails them without it', async () => {
    const before = await rpcCalls(guarded, 'alchemy');
    const proxy = await env.toxiproxy.get('rpc-infura');
    const { listen, upstream } = proxy;
    await proxy.update({ enabled: false, listen, upstream });
    try {
      const withIt = await (await userClient(guarded, 'fallback-down-on')).post('/api/gifts/10/claim');
      expect(withIt.status).toBe(200);
      expect(withIt.body.claim.status).toBe('confirmed');
      expect(await rpcCalls(guarded, 'alchemy')).toBeGreaterThan(before);
      const without = await (await userClient(naive, 'fallback-down-off')).post('/api/gifts/10/claim');
      expect(without.status).toBe(502);
      expect(without.body.error.code).toBe('transfer_failed');
    } finally {
      await proxy.update({ enabled: true, listen, upstream });
    }
  });

  it('rides out a primary that answers every call with 429 and Retry-After with it, and fails without it', async () => {
    const fault = await control.apply({ type: 'throttle', target: 'infura', rate: 1, retryAfterSeconds: 1 });
    try {
      const withIt = await (await userClient(guarded, 'fallback-429-on')).post('/api/gifts/12/claim');
      expect(withIt.status).toBe(200);
      const without = await (await userClient(naive, 'fallback-429-off')).post('/api/gifts/12/claim');
      expect(without.status).toBe(502);
      expect(without.body.error.code).toBe('transfer_failed');
      expect(await (await fetch(`${naive.url}/metrics`)).text()).toMatch(/rpc_calls_total\{provider="infura",outcome="rate_limited"\} [1-9]/);
    } finally {
      await control.clear(fault.id);
    }
  });
});
