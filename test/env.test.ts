import { Redis } from 'ioredis';
import pg from 'pg';
import { createPublicClient, http } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../env/environment.ts';
import { readState } from '../env/state.ts';
import { testEnvironment } from './support/environment.ts';
import { leftovers, recordedResources } from './support/processes.ts';

describe('a started environment', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await testEnvironment({ services: { postgres: {}, redis: true, anvil: {} } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('answers a pg query, a redis PING and eth_blockNumber through the proxies', async () => {
    for (const service of Object.values(env.services)) expect(service.url).not.toBe(service.directUrl);

    const client = new pg.Client({ connectionString: env.services.postgres!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ user: string; db: string; sum: number }>('SELECT current_user AS user, current_database() AS db, 1 + 1 AS sum');
      expect(rows[0]).toEqual({ user: 'app', db: 'app', sum: 2 });
    } finally {
      await client.end();
    }

    const redis = new Redis(env.services.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }

    const chain = createPublicClient({ chain: foundry, transport: http(env.services.anvil!.url, { retryCount: 0 }) });
    expect(typeof (await chain.getBlockNumber())).toBe('bigint');
    expect(await chain.getChainId()).toBe(31337);
  });

  it('adds 200 ms to a postgres round trip with a latency toxic and restores it when the toxic is removed', async () => {
    const client = new pg.Client({ connectionString: env.services.postgres!.url });
    await client.connect();
    const roundTrip = async (samples: number) => {
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        await client.query('SELECT 1');
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[Math.floor(samples / 2)]!;
    };
    const proxy = await env.toxiproxy.get('postgres');
    try {
      const baseline = await roundTrip(7);
      await proxy.addToxic({ name: 'test-latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
      const slowed = await roundTrip(3);
      expect(slowed - baseline).toBeGreaterThanOrEqual(190);
      await (await proxy.getToxic('test-latency')).remove();
      const restored = await roundTrip(7);
      expect(restored).toBeLessThan(baseline + 50);
    } finally {
      await client.end();
    }
  });

  it('fails redis commands while the redis proxy is disabled and recovers when it is enabled again', async () => {
    const redis = new Redis(env.services.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50, connectTimeout: 1000 });
    await redis.connect();
    const proxy = await env.toxiproxy.get('redis');
    const { listen, upstream } = proxy;
    try {
      expect(await redis.set('k', 'v')).toBe('OK');
      await proxy.update({ enabled: false, listen, upstream });
      await expect(redis.get('k')).rejects.toThrow();
      // A fresh connection is refused too, not just the one that was open.
      const fresh = new Redis(env.services.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      fresh.on('error', () => {});
      await expect(fresh.connect()).rejects.toThrow(/ECONNREFUSED|Connection is closed/);
      fresh.disconnect();

      await proxy.update({ enabled: true, listen, upstream });
      const deadline = Date.now() + 5000;
      let value: string | null = null;
      while (Date.now() < deadline) {
        value = await redis.get('k').catch(() => null);
        if (value !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(value).toBe('v');
    } finally {
      redis.disconnect();
      await proxy.update({ enabled: true, listen, upstream }).catch(() => {});
    }
  });

  it('stop() leaves no recorded process and no listening port behind, and removes the state file', async () => {
    const state = readState(env.stateDir)!;
    expect(state.status).toBe('up');
    const resources = recordedResources(state);
    expect(resources.pids).toHaveLength(4); // toxiproxy, postgres, redis, anvil
    expect(resources.ports.length).toBeGreaterThanOrEqual(7);
    expect((await leftovers(resources)).processes.length).toBeGreaterThanOrEqual(4);

    await env.stop();
    expect(await leftovers(resources)).toEqual({ processes: [], ports: [] });
    expect(readState(env.stateDir)).toBeUndefined();
  });
});
