import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Environment, startEnvironment } from '../env/environment.ts';
import { HealthCheckTimeoutError, ServiceCrashedError } from '../env/errors.ts';
import { readState } from '../env/state.ts';
import { SHOP_DIR, shopService } from './support/shop.ts';
import { testConfig } from './support/environment.ts';
import { groupMembers, recordedResources } from './support/processes.ts';

const shopDir = SHOP_DIR;
const shop = shopService;

describe('your app as a service', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment(testConfig({ services: { postgres: {}, redis: true, shop: shop() } }));
  });
  afterAll(() => env?.stop());

  it('starts after its dependencies with their proxied endpoints in its own variable names, behind its own proxy', async () => {
    expect(env.env.SHOP_URL).toBe(env.services.shop!.url);
    expect(env.services.shop!.version).toBe('GET /health 200');
    const first = (await (await fetch(`${env.services.shop!.url}/items`)).json()) as { from: string };
    const second = (await (await fetch(`${env.services.shop!.url}/items`)).json()) as { items: unknown[]; from: string };
    expect([first.from, second.from]).toEqual(['db', 'cache']);
    expect(second.items).toEqual([{ id: 1, name: 'apple' }]);
    // Its cache traffic goes through Redis's proxy: with the proxy down it falls back to Postgres.
    const proxy = await env.toxiproxy.get('redis');
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    try {
      expect(((await (await fetch(`${env.services.shop!.url}/items`)).json()) as { from: string }).from).toBe('db');
    } finally {
      await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    }
  });

  it('restarts on the same port, and stops with its whole process tree', async () => {
    const before = env.services.shop!;
    await env.restart('shop');
    expect(env.services.shop!.port).toBe(before.port);
    expect(env.services.shop!.pid).not.toBe(before.pid);
    expect((await fetch(`${env.services.shop!.url}/health`)).status).toBe(200);
    const { pids } = recordedResources(readState(env.stateDir)!);
    await env.stop();
    expect(pids.flatMap(groupMembers)).toEqual([]);
  });
});

describe('your app, when it does not start', () => {
  const startFails = async (app: Record<string, unknown>) => {
    const config = testConfig({ services: { redis: true, shop: { cwd: shopDir, dependsOn: ['redis'], readyTimeout: '3s', ...app } } });
    const error = await startEnvironment(config).then(
      (e) => e.stop().then(() => undefined),
      (e: unknown) => e as Error,
    );
    expect(readState(config.stateDir!), 'nothing is left recorded').toBeUndefined();
    return error;
  };

  it('a command that exits at once: ServiceCrashedError with its last log lines', async () => {
    const error = await startFails({ command: 'echo "cannot find module ./server" >&2; exit 3' });
    expect(error).toBeInstanceOf(ServiceCrashedError);
    expect(error!.message).toMatch(/shop exited during start-up \(exit code 3\)[\s\S]*cannot find module \.\/server/);
  });

  it('one that never gets healthy: HealthCheckTimeoutError with the last probe', async () => {
    const error = await startFails({
      command: `node -e "require('http').createServer((q, s) => { s.statusCode = 500; s.end('db down'); }).listen(process.env.PORT, '127.0.0.1'); console.log('up')"`,
      health: '/health',
    });
    expect(error).toBeInstanceOf(HealthCheckTimeoutError);
    expect(error!.message).toMatch(/shop did not become ready within 3000 ms \(last probe: GET \/health: HTTP 500 db down\)/);
  });

  it('one that ignores the port it was given: the timeout says which variable carried which port', async () => {
    const error = await startFails({ command: `node -e "require('http').createServer(() => {}).listen(0, '127.0.0.1'); setInterval(() => {}, 1000)"`, port: { env: 'HTTP_PORT' } });
    expect(error).toBeInstanceOf(HealthCheckTimeoutError);
    expect(error!.message).toMatch(/Faultline gave it port \d+ in HTTP_PORT: does it listen there, on 127\.0\.0\.1/);
  });
});
