import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { getContainerRuntimeClient, ImageName } from 'testcontainers';
import { createPublicClient, http } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultContextOf } from '../toxics/fault.ts';
import pause from '../toxics/presets/pause.ts';
import type { FaultlineConfig } from '../env/config.ts';
import { type Environment, startEnvironment, stopEnvironment } from '../env/environment.ts';
import { isListening } from '../env/ports.ts';
import { dockerAnswers, ENV_LABEL, environmentId, imageFor } from '../env/runtimes/containers.ts';
import { services as knownServices } from '../env/services/index.ts';
import { toxiproxyServer } from '../env/toxiproxy.ts';
import { readState } from '../env/state.ts';
import { REPO_ROOT, testConfig } from './support/environment.ts';
import { leftovers, recordedResources } from './support/processes.ts';

// In CI the containers variant must run (CI installs Docker and builds the images); elsewhere it needs a Docker engine.
const inCI = process.env.CI === 'true';
const skipReason = inCI ? undefined : await whyContainersCannotRun();
const dockerUp = !skipReason;
if (skipReason) console.warn(`[env-runtimes] containers runtime tests SKIPPED: ${skipReason}`);

/** Outside CI the containers variant needs a Docker engine and the images it would use already there (pulling may be impossible). */
async function whyContainersCannotRun(): Promise<string | undefined> {
  if (!(await dockerAnswers())) return 'no Docker engine answered. Start Docker to run them.';
  const client = await getContainerRuntimeClient();
  const images = [toxiproxyServer, ...['postgres', 'redis', 'anvil'].map((n) => knownServices[n]!)].map((d) =>
    imageFor(d.name, d.container!({} as never, d.options.parse({})).image, { containers: { images: {} } }),
  );
  const missing = [];
  for (const image of images) if (!(await client.image.exists(ImageName.fromString(image)))) missing.push(image);
  if (missing.length === 0) return undefined;
  return `images not on this machine: ${missing.join(', ')}. docker pull them, or build stand-ins with \`eval "$(npx tsx env/runtimes/containers/images/build.ts)"\`.`;
}
/** Median time of `samples` sequential runs of `op`, in ms. */
async function medianMs(op: () => Promise<unknown>, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await op();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(samples / 2)]!;
}

const runtimes = [
  { runtime: 'local' as const, skip: false, title: 'local runtime' },
  { runtime: 'containers' as const, skip: !dockerUp, title: dockerUp ? 'containers runtime' : 'containers runtime (SKIPPED, see the warning above)' },
];

/** Containers and networks that carry an environment's label: what env down must leave at zero. */
async function labelled(stateDir: string): Promise<{ containers: string[]; networks: string[] }> {
  const docker = (await getContainerRuntimeClient()).container.dockerode;
  const filters = { label: [`${ENV_LABEL}=${environmentId(stateDir)}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return { containers: containers.map((c) => c.Names[0]!), networks: networks.map((n) => n.Name) };
}

/** Every port the state records (services and their proxies) that still accepts connections. */
async function listeningPorts(stateDir: string): Promise<number[]> {
  const state = readState(stateDir)!;
  const { ports } = recordedResources(state);
  return (await Promise.all(ports.map(async (p) => ((await isListening(p)) ? [p] : [])))).flat();
}

describe.each(runtimes)('an environment on the $title', ({ runtime, skip }) => {
  let env: Environment;
  beforeAll(async () => {
    if (skip) return;
    env = await startEnvironment(testConfig({ runtime, services: { postgres: {}, redis: true, anvil: {} } }));
  });
  afterAll(async () => {
    await env?.stop();
  });

  it.skipIf(skip)('records the runtime it runs on and answers queries through the proxies', async () => {
    const state = readState(env.stateDir)!;
    expect(state.runtime).toBe(runtime);
    for (const service of Object.values(env.services)) {
      expect(service.url).not.toBe(service.directUrl);
      expect(new URL(service.url).hostname).toBe('127.0.0.1');
      if (runtime === 'containers') expect(service.containerId).toMatch(/^[0-9a-f]{64}$/);
      else expect(service.pid).toBeGreaterThan(0);
    }

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

  it.skipIf(skip)('adds 200 ms to a postgres round trip with a latency toxic and restores it when the toxic is removed', async () => {
    const client = new pg.Client({ connectionString: env.services.postgres!.url });
    await client.connect();
    const proxy = await env.toxiproxy.get('postgres');
    try {
      const roundTrip = (samples: number) => medianMs(() => client.query('SELECT 1'), samples);
      const baseline = await roundTrip(7);
      await proxy.addToxic({ name: 'test-latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
      const slowed = await roundTrip(3);
      expect(slowed - baseline).toBeGreaterThanOrEqual(190);
      await (await proxy.getToxic('test-latency')).remove();
      expect(await roundTrip(7)).toBeLessThan(baseline + 50);
    } finally {
      await client.end();
    }
  });

  it.skipIf(skip)('adds 200 ms to a redis round trip with a latency toxic and drops it again when the toxic is removed', async () => {
    const redis = new Redis(env.services.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    const proxy = await env.toxiproxy.get('redis');
    try {
      const roundTrip = (samples: number) => medianMs(() => redis.ping(), samples);
      const baseline = await roundTrip(7);
      await proxy.addToxic({ name: 'runtime-latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
      const slowed = await roundTrip(3);
      expect(slowed - baseline).toBeGreaterThanOrEqual(190);
      await (await proxy.getToxic('runtime-latency')).remove();
      expect(await roundTrip(7)).toBeLessThan(baseline + 50);
    } finally {
      redis.disconnect();
    }
  });

  it.skipIf(skip)('fails redis commands while the redis proxy is disabled and recovers when it is enabled again', async () => {
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

  it.skipIf(skip)('refuses postgres connections while its proxy is disabled and accepts them once it is enabled', async () => {
    const proxy = await env.toxiproxy.get('postgres');
    const { listen, upstream } = proxy;
    const query = async () => {
      const client = new pg.Client({ connectionString: env.services.postgres!.url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
      } finally {
        await client.end().catch(() => {});
      }
    };
    try {
      expect(await query()).toBe(1);
      await proxy.update({ enabled: false, listen, upstream });
      await expect(query()).rejects.toThrow();
      // The direct URL does not go through Toxiproxy and keeps working.
      const direct = new pg.Client({ connectionString: env.services.postgres!.directUrl });
      await direct.connect();
      expect((await direct.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      await direct.end();
      await proxy.update({ enabled: true, listen, upstream });
      expect(await query()).toBe(1);
    } finally {
      await proxy.update({ enabled: true, listen, upstream }).catch(() => {});
    }
  });

  it.skipIf(skip)('freezes redis with the pause fault (commands wait, none fails) and thaws it on revert', async () => {
    const redis = new Redis(env.services.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    const applied = await pause.apply(faultContextOf(env), 'redis', {}, {});
    try {
      expect(applied.detail).toMatch(runtime === 'containers' ? /^container [0-9a-f]{12} paused$/ : /^pid \d+ stopped$/);
      const frozen = redis.ping();
      const outcome = await Promise.race([frozen.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 500))]);
      expect(outcome).toBe('waiting');
      await applied.revert();
      expect(await frozen).toBe('PONG'); // the command that waited is answered after the thaw
      await applied.revert(); // a second revert is harmless
      expect(await redis.ping()).toBe('PONG');
    } finally {
      await applied.revert().catch(() => {});
      redis.disconnect();
    }
  });

  it.skipIf(skip)('restarts a service on the same port: the data it keeps survives, its proxy reaches it again, env.json follows', async () => {
    const client = () => new pg.Client({ connectionString: env.services.postgres!.url });
    const before = client();
    await before.connect();
    await before.query('CREATE TABLE IF NOT EXISTS lifecycle (n int); INSERT INTO lifecycle VALUES (7)');
    await before.end();
    const { port, pid, containerId } = env.services.postgres!;
    await env.restart('postgres');
    expect(env.services.postgres!.port).toBe(port);
    if (runtime === 'local') expect(env.services.postgres!.pid).not.toBe(pid);
    else expect(env.services.postgres!.containerId).toBe(containerId);
    const after = client();
    await after.connect();
    try {
      expect((await after.query<{ n: number }>('SELECT n FROM lifecycle')).rows).toEqual([{ n: 7 }]);
    } finally {
      await after.end();
    }
    const record = readState(env.stateDir)!.services.postgres!;
    expect(record.stopped).toBe(false);
    if (runtime === 'local') expect(record.process!.pid).toBe(env.services.postgres!.pid);
  });

  it.skipIf(skip)('kills a service (a crash), says so in env.json, and starts it again on the same port', async () => {
    const redis = new Redis(env.services.redis!.directUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {}); // the refused connect is the point
    await env.stopService('redis', { kill: true });
    expect(readState(env.stateDir)!.services.redis!.stopped).toBe(true);
    await expect(redis.connect()).rejects.toThrow();
    await env.startService('redis');
    const again = new Redis(env.services.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await again.connect();
    try {
      expect(await again.ping()).toBe('PONG');
    } finally {
      again.disconnect();
      redis.disconnect();
    }
    expect(readState(env.stateDir)!.services.redis!.stopped).toBe(false);
  });

  it.skipIf(skip)('stop() leaves nothing behind: no process, container, network or listening port of it', async () => {
    const state = readState(env.stateDir)!;
    expect(state.status).toBe('up');
    const resources = recordedResources(state);
    expect(resources.ports.length).toBeGreaterThanOrEqual(7);
    if (runtime === 'containers') {
      const before = await labelled(env.stateDir);
      expect(before.containers).toHaveLength(4); // toxiproxy, postgres, redis, anvil
      expect(before.networks).toHaveLength(1);
      expect(await listeningPorts(env.stateDir)).toHaveLength(resources.ports.length);
    } else {
      expect(resources.pids).toHaveLength(4); // toxiproxy, postgres, redis, anvil
      expect((await leftovers(resources)).processes.length).toBeGreaterThanOrEqual(4);
    }

    await env.stop();
    expect(await leftovers(resources)).toEqual({ processes: [], ports: [] });
    if (runtime === 'containers') expect(await labelled(env.stateDir)).toEqual({ containers: [], networks: [] });
    expect(readState(env.stateDir)).toBeUndefined();
  });
});

describe.skipIf(!dockerUp)('the containers runtime after a killed env up', () => {
  let config: FaultlineConfig;
  afterAll(async () => {
    if (config) await stopEnvironment(config).catch(() => {});
  });

  it('env down removes every container and network an env up killed with SIGKILL had created', async () => {
    config = testConfig({ runtime: 'containers', services: { postgres: {}, redis: true, anvil: {} } });
    const configFile = join(dirname(config.stateDir!), 'faultline.config.ts');
    writeFileSync(configFile, `export default ${JSON.stringify(config)};\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', '--config', configFile, 'env', 'up'], { cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    // Kill it in the middle of start-up: once at least two containers exist.
    const deadline = Date.now() + 30_000;
    while ((await labelled(config.stateDir!)).containers.length < 2) {
      if (Date.now() > deadline) throw new Error('env up created no containers within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    expect(readState(config.stateDir!)?.status).toBe('starting');
    expect((await labelled(config.stateDir!)).containers.length).toBeGreaterThanOrEqual(2);

    expect(await stopEnvironment(config)).toBe(true);
    expect(await labelled(config.stateDir!)).toEqual({ containers: [], networks: [] });
    expect(readState(config.stateDir!)).toBeUndefined();
  });
});

describe.skipIf(!dockerUp)('the postgres and redis images with the testcontainers modules', () => {
  beforeAll(async () => {
    // Ryuk's image cannot be pulled where no registry answers; these two containers are stopped by the tests themselves.
    const client = await getContainerRuntimeClient();
    if (!(await client.image.exists(ImageName.fromString(process.env.RYUK_CONTAINER_IMAGE ?? 'testcontainers/ryuk:0.14.0')))) {
      process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    }
  });

  it('PostgreSqlContainer starts the postgres image with its user, password and database, and answers a query', async () => {
    const image = imageFor('postgres', knownServices.postgres!.container!({} as never, knownServices.postgres!.options.parse({})).image, { containers: { images: {} } });
    const container = await new PostgreSqlContainer(image).withUsername('tc_user').withPassword('tc-secret').withDatabase('tc_db').start();
    try {
      const client = new pg.Client({ connectionString: container.getConnectionUri() });
      await client.connect();
      const { rows } = await client.query<{ user: string; db: string }>('SELECT current_user AS user, current_database() AS db');
      await client.end();
      expect(rows[0]).toEqual({ user: 'tc_user', db: 'tc_db' });
    } finally {
      await container.stop();
    }
  });

  it('RedisContainer starts the redis image and it answers SET/GET from outside the container', async () => {
    const image = imageFor('redis', knownServices.redis!.container!({} as never, knownServices.redis!.options.parse({})).image, { containers: { images: {} } });
    const container = await new RedisContainer(image).start();
    try {
      const redis = new Redis(container.getConnectionUrl(), { maxRetriesPerRequest: 0 });
      expect(await redis.set('k', 'v')).toBe('OK');
      expect(await redis.get('k')).toBe('v');
      redis.disconnect();
    } finally {
      await container.stop();
    }
  });
});

describe.skipIf(!dockerUp)('the containers runtime with a local mock beside the containers', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment(testConfig({ runtime: 'containers', services: { redis: true, anvil: {}, rpc: true } }));
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('reaches the local rpc mock through its proxy, and the mock reaches the anvil container', async () => {
    const state = readState(env.stateDir)!;
    expect(state.services.rpc!.process?.pid).toBeGreaterThan(0); // the mock is a local process
    expect(state.services.anvil!.container?.id).toBeTruthy();
    const providers = ['RPC_URL', 'RPC_FALLBACK_URL', 'RPC_PUBLIC_URL'].filter((k) => env.env[k]);
    expect(providers).toContain('RPC_URL');
    for (const name of providers) {
      const url = env.env[name]!;
      const chain = createPublicClient({ chain: foundry, transport: http(url, { retryCount: 0 }) });
      expect(await chain.getChainId(), name).toBe(31337);
    }
  });
});
