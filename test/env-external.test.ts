import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Environment, startEnvironment } from '../env/environment.ts';
import { freePort } from '../env/ports.ts';
import { readState } from '../env/state.ts';
import { testConfig, testEnvironment } from './support/environment.ts';

// Dependencies a team already runs: here a second environment plays "their docker compose".
describe('dependencies Faultline does not run', () => {
  let theirs: Environment;
  let ours: Environment;

  beforeAll(async () => {
    theirs = await testEnvironment({ services: { postgres: { database: 'shop', user: 'shop', password: 's3cret-pw' }, redis: true } });
    const redisAddress = new URL(theirs.services.redis!.directUrl).host;
    ours = await testEnvironment({ services: { postgres: { external: theirs.services.postgres!.directUrl }, cache: { tcp: redisAddress } } });
  });
  afterAll(async () => {
    await ours?.stop();
    await theirs?.stop();
  });

  it('puts a proxy in front of an external Postgres: its credentials and database kept, nothing started', async () => {
    const url = new URL(ours.services.postgres!.url);
    expect(url.port).toBe(String(ours.services.postgres!.proxyPort));
    expect([url.username, url.password, url.pathname]).toEqual(['shop', 's3cret-pw', '/shop']);
    expect(ours.services.postgres!.pid).toBe(0);
    expect(readState(ours.stateDir)!.services.postgres!.external).toBe(true);
    const client = new pg.Client({ connectionString: ours.services.postgres!.url });
    await client.connect();
    expect((await client.query('select current_database() as db')).rows).toEqual([{ db: 'shop' }]);
    await client.end();
  });

  it('proxies any TCP dependency, and network faults reach it: Redis through a `tcp` entry, then its proxy down', async () => {
    expect(ours.env.CACHE_URL).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const redis = new Redis(ours.env.CACHE_URL!.replace(/^tcp:/, 'redis:'), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    const proxy = await ours.toxiproxy.get('cache');
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await expect(redis.ping()).rejects.toThrow();
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    redis.disconnect();
  });

  it('refuses to pause or restart what it does not run, saying what does work', async () => {
    await expect(ours.pause('postgres')).rejects.toThrow(/postgres is a service you run \(external\): Faultline cannot stop, start or pause it\. Network faults/);
  });

  it('leaves the external service running when the environment stops', async () => {
    const other = await testEnvironment({ services: { redis: { external: theirs.services.redis!.directUrl } } });
    await other.stop();
    const redis = new Redis(theirs.services.redis!.directUrl, { maxRetriesPerRequest: 0 });
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });

  it('names an external service that does not answer, and starts nothing', async () => {
    const config = testConfig({ services: { redis: { external: `redis://127.0.0.1:${await freePort()}` } } });
    await expect(startEnvironment(config)).rejects.toThrow(/redis: the service you run at 127\.0\.0\.1:\d+ \(external\) does not answer/);
    expect(readState(config.stateDir!)).toBeUndefined();
  });
});
