import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointMap } from '../env/command.ts';
import { startupSteps } from '../env/critical-path.ts';
import { type Environment, startEnvironment } from '../env/environment.ts';
import { HealthCheckTimeoutError, ServiceCrashedError } from '../env/errors.ts';
import { readState } from '../env/state.ts';
import { isAlive } from '../lib/processes.ts';
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

describe('dependsOn conditions', () => {
  // Answers /health with 503 for its first 2 s: launched at once, ready 2 s later.
  const slowHealth = `node -e "const t = Date.now(); require('http').createServer((q, s) => { s.statusCode = Date.now() - t > 2000 ? 200 : 503; s.end(); }).listen(process.env.PORT, '127.0.0.1')"`;
  // Records the URL it was given for \`slow\` and the time it was launched, then listens.
  const recorder = (out: string) =>
    `node -e "require('fs').writeFileSync('${out}', JSON.stringify({ url: process.env.SLOW, at: Date.now() })); require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1')"`;
  let env: Environment;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-test-deps-'));
    const slowUrl = (endpoints: EndpointMap) => ({ SLOW: endpoints.slow?.url ?? '' });
    env = await startEnvironment(
      testConfig({
        services: {
          redis: true,
          slow: { command: slowHealth, health: '/health', readyTimeout: '10s' },
          early: { command: recorder(join(dir, 'early.json')), dependsOn: ['redis', { service: 'slow', condition: 'started' }], env: slowUrl },
          late: { command: recorder(join(dir, 'late.json')), dependsOn: ['slow'], env: slowUrl },
        },
      }),
    );
  });
  afterAll(() => env?.stop());

  it('launches a service before its started-only dependency is ready, with that dependency\'s proxied URL', () => {
    const { services } = readState(env.stateDir)!;
    const readyAt = (name: string) => services[name]!.startup!.atMs + services[name]!.startup!.readyMs;
    const early = services.early!.startup!;
    expect(early).toMatchObject({ for: ['redis'], forStarted: ['slow'] });
    // Launched after redis was ready, and well before slow's health turned (2 s after slow's launch).
    expect(early.atMs).toBeGreaterThanOrEqual(readyAt('redis'));
    expect(early.atMs).toBeLessThan(readyAt('slow') - 1000);
    const seen = JSON.parse(readFileSync(join(dir, 'early.json'), 'utf8')) as { url: string };
    expect(seen.url).toBe(env.services.slow!.url);
  });

  it('still waits for a ready dependency, and is up only once everything is ready', async () => {
    const { services, status } = readState(env.stateDir)!;
    const slow = services.slow!.startup!;
    expect(services.late!.startup!.atMs).toBeGreaterThanOrEqual(slow.atMs + slow.readyMs);
    expect(slow.readyMs).toBeGreaterThanOrEqual(2000);
    expect(status).toBe('up');
    expect((await fetch(`${env.services.slow!.url}/health`)).status).toBe(200);
    // The critical path names the wait and its condition.
    const early = startupSteps(readState(env.stateDir)!).find((s) => s.name === 'early')!;
    expect(early.urlAtMs).toBeGreaterThanOrEqual(early.startedAtMs);
    expect(['redis', 'slow']).toContain(early.waitedFor);
    expect(early.waitedUntil).toBe(early.waitedFor === 'slow' ? 'started' : 'ready');
  });
});

describe('a service relaunched after a port race', () => {
  it('keeps its proxy, which now dials the new port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-test-race-'));
    const marker = join(dir, 'first-launch-done');
    // The first launch fails as if its free port had been taken meanwhile; the relaunch serves.
    const command = `if [ -e '${marker}' ]; then exec node -e "require('http').createServer((q, s) => s.end('served')).listen(process.env.PORT, '127.0.0.1')"; else touch '${marker}'; echo 'Error: listen EADDRINUSE: address already in use' >&2; exit 1; fi`;
    const env = await startEnvironment(testConfig({ services: { racer: { command, health: '/' } } }));
    try {
      expect(existsSync(marker), 'the first launch ran').toBe(true);
      const proxy = await env.toxiproxy.get('racer');
      expect(proxy.upstream).toBe(`127.0.0.1:${env.services.racer!.port}`);
      expect(await (await fetch(env.services.racer!.url)).text()).toBe('served');
    } finally {
      await env.stop();
    }
  });
});

describe('a started-only dependency that fails', () => {
  it('stops its already launched dependent at once, reports the failure itself, and leaves nothing running', async () => {
    const config = testConfig({
      services: {
        // Never healthy: unless broken's failure stops it, env up would wait out its 30 s. Listed first, so its error is what env up reports.
        waiter: { command: `node -e "console.log('pid', process.pid); require('http').createServer((q, s) => { s.statusCode = 503; s.end(); }).listen(process.env.PORT, '127.0.0.1')"`, health: '/health', readyTimeout: '30s', dependsOn: [{ service: 'broken', condition: 'started' }] },
        broken: { command: `sleep 1.5; echo 'cannot reach the licence server' >&2; exit 4`, readyTimeout: '10s' },
      },
    });
    const started = Date.now();
    const error = await startEnvironment(config).then(
      (e) => e.stop().then(() => undefined),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(ServiceCrashedError);
    expect(error!.message).toMatch(/broken exited during start-up \(exit code 4\)[\s\S]*licence server/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readState(config.stateDir!), 'nothing is left recorded').toBeUndefined();
    const pid = Number(/pid (\d+)/.exec(readFileSync(join(config.stateDir!, 'logs', 'waiter.log'), 'utf8'))?.[1]);
    expect(pid, 'the dependent had been launched').toBeGreaterThan(0);
    expect(isAlive(pid), 'and is stopped').toBe(false);
  });
});
