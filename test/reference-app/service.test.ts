import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../examples/reference-app/src/auth.ts';
import type { Environment } from '../../env/environment.ts';
import { referenceApp } from '../../examples/reference-app/service.ts';
import { testEnvironment } from '../support/environment.ts';

// The reference app as a declared app service: started by the environment like any other, behind its own proxy.
let env: Environment;

beforeAll(async () => {
  env = await testEnvironment({
    services: { postgres: true, redis: true, anvil: true, rpc: true, app: referenceApp({ uses: ['rpc'], mitigations: '-rate-limit', jwtSecret: 'service-test-secret' }) },
  });
});

afterAll(async () => {
  await env?.stop();
});

describe('env service: app', () => {
  it('starts after its dependencies, writes APP_URL, and runs with the configured mitigations', async () => {
    expect(env.env.APP_URL).toBe(env.services.app!.url);
    expect(env.services.app!.version).toBe('GET /api/health 200');
    expect(env.services.app!.mitigations).toBe('-rate-limit');
    const config = await (await fetch(`${env.env.APP_URL}/api/config/public`)).json();
    expect(config.mitigationsSummary).toBe('rpc-fallback,idempotency,cache-fallback,llm-breaker,socket-recovery,admission-control,nonce-single-use,webhook-dedup,auth-cache-fallback');
    expect(config.rpcProviders).toEqual(['infura', 'alchemy']);
    expect(config.mitigations['rate-limit']).toBe(false);
  });

  it('pays a claim through the proxied RPC gateway with the secret from the config', async () => {
    const token = await signToken({ tenant: 'demo', user: 'service-user' }, 'service-test-secret');
    const response = await fetch(`${env.env.APP_URL}/api/gifts/2/claim`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect((await response.json()).claim.status).toBe('confirmed');
  });

  it("reaches its dependencies through their proxies: disabling postgres's proxy fails its health check", async () => {
    const proxy = await env.toxiproxy.get('postgres');
    const { listen, upstream } = proxy;
    await proxy.update({ enabled: false, listen, upstream });
    try {
      const health = await fetch(`${env.env.APP_URL}/api/health`);
      expect(health.status).toBe(503);
      const body = await health.json();
      expect(body.checks.postgres).not.toBe('ok');
      expect(body.checks.redis).toBe('ok');
    } finally {
      await proxy.update({ enabled: true, listen, upstream });
    }
  });
});
