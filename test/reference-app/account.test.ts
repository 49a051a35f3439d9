import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../examples/reference-app/src/app.ts';
import type { Environment } from '../../env/environment.ts';
import { testEnvironment } from '../support/environment.ts';
import { startTestApp, userClient, withProxyDown } from './app.ts';

// GET /api/me and /api/config (load plan S1) through the Redis session/config cache, with and without auth-cache-fallback.
let env: Environment;
let guarded: App;
let naive: App;

beforeAll(async () => {
  env = await testEnvironment({ services: { postgres: true, redis: true, anvil: true } });
  guarded = await startTestApp(env, 'all');
  naive = await startTestApp(env, '-auth-cache-fallback');
});

afterAll(async () => {
  await Promise.all([guarded?.close(), naive?.close()]);
  await env?.stop();
});

describe('reference app: account routes', () => {
  it('answers /api/me with the seeded profile row, verified once and then from the session cache', async () => {
    const user = await userClient(guarded, 'ac-user-10');
    const first = await user.get('/api/me');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ tenant: 'demo', user: 'ac-user-10', profile: { displayName: 'Cy 10', plan: 'pro', locale: 'fr' } });
    expect(first.body.wallet).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(first.headers.get('x-session')).toBe('verified');
    const second = await user.get('/api/me');
    expect(second.headers.get('x-session')).toBe('cache');
    expect(second.body).toEqual(first.body);
    // A user without a row gets one on first sign-in.
    expect((await (await userClient(guarded, 'account-newcomer')).get('/api/me')).body.profile).toMatchObject({ displayName: 'account-newcomer', plan: 'free' });
  });

  it('needs a JWT for /api/config, keeps the deployment facts public at /api/config/public', async () => {
    expect((await fetch(`${guarded.url}/api/config`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/api/me`, { headers: { authorization: 'Bearer forged.token.here' } })).status).toBe(401);
    const facts = await (await fetch(`${guarded.url}/api/config/public`)).json();
    expect(facts).toMatchObject({ mitigationsSummary: 'all', token: guarded.ctx.token });
    const config = await (await userClient(guarded, 'ac-user-11')).get('/api/config');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ ...facts, tenant: 'demo', features: { gifts: true }, limits: { claimsPerMinute: 30 } });
  });

  it('with Redis down answers from the JWT, Postgres and its in-process copy with auth-cache-fallback, and 503 without', async () => {
    const user = await userClient(guarded, 'ac-user-12');
    const naiveUser = await userClient(naive, 'ac-user-12');
    for (const client of [user, naiveUser]) expect((await client.get('/api/config')).status).toBe(200);
    await withProxyDown(env, 'redis', async () => {
      const me = await user.get('/api/me', 2_000);
      expect(me.status).toBe(200);
      expect(me.headers.get('x-session')).toBe('verified');
      expect(me.body.profile.displayName).toBe('Ed 12');
      const config = await user.get('/api/config', 2_000);
      expect(config.status).toBe(200);
      expect(config.headers.get('x-cache')).toBe('local');
      const refused = await naiveUser.get('/api/me', 2_000);
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('session_store_unavailable');
      expect(refused.headers.get('retry-after')).toBe('1');
    });
    // Redis is back: both answer from the cache again.
    for (const client of [user, naiveUser]) await expect.poll(async () => (await client.get('/api/me')).headers.get('x-session'), { timeout: 10_000, interval: 200 }).toBe('cache');
  });
});
