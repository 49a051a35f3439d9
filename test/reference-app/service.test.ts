import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../examples/reference-app/src/auth.ts';
import type { Environment } from '../../env/environment.ts';
import { referenceApp } from '../../examples/reference-app/service.ts';
import { pollUntil } from '../../lib/poll.ts';
import { testEnvironment } from '../support/environment.ts';
import { startTestApp } from './app.ts';

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

describe('payments provider not ready yet', () => {
  // The environment starts the app as soon as the payments mock has a URL (a started-only dependency), so the app must cope with a provider that does not answer yet.
  it('registers its webhook endpoint once the provider answers, though it listened first', async () => {
    const registrations: string[] = [];
    const provider = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (request.url === '/v1/webhook_endpoints') registrations.push(new URLSearchParams(body).get('url') ?? '');
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ id: 'we_test', url: 'x', secret: 'whsec_test' }));
      });
    });
    // A port nothing listens on for the app's first attempts.
    const port = await new Promise<number>((resolve) => provider.listen(0, '127.0.0.1', () => resolve((provider.address() as AddressInfo).port)));
    await new Promise((resolve) => provider.close(resolve));
    const previous = process.env.PAYMENTS_URL;
    process.env.PAYMENTS_URL = `http://127.0.0.1:${port}`;
    const app = await startTestApp(env).finally(() => {
      if (previous === undefined) delete process.env.PAYMENTS_URL;
      else process.env.PAYMENTS_URL = previous;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(registrations, 'nothing answered yet').toEqual([]);
      provider.listen(port, '127.0.0.1');
      await pollUntil(async () => registrations[0] ?? Promise.reject(new Error('no registration yet')), { timeoutMs: 5_000 });
      expect(registrations).toEqual([`http://127.0.0.1:${new URL(app.url).port}/webhooks/payments`]);
    } finally {
      await app.close();
      provider.close();
    }
  });
});
