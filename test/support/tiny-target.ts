import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { FaultlineConfig } from '../../env/config.ts';
import { type Environment, startEnvironment } from '../../env/environment.ts';

/**
 * A minimal system under test for the runner's own tests: `GET /item` reads a key from
 * Redis through its Toxiproxy proxy, with a short timeout, and answers 500 when Redis fails.
 */
export async function startTinyTarget(redisUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const redis = new Redis(redisUrl, { commandTimeout: 500, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 100 });
  redis.on('error', () => {}); // failures surface as 500s, which is the point
  await new Promise<void>((resolve, reject) => redis.once('ready', resolve).once('end', () => reject(new Error(`Redis at ${redisUrl} is not reachable`))));
  await redis.set('item', 'hello');
  const server: Server = createServer(async (request, response) => {
    try {
      const value = await redis.get('item');
      response.writeHead(200, { 'content-type': 'text/plain' }).end(value ?? '');
    } catch (error) {
      response.writeHead(500).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}

/**
 * For a suite: an environment of `config` (its Redis behind Toxiproxy) and a tiny target
 * reading that Redis, started before the suite's tests and stopped after them.
 */
export function useTinyTarget(config: FaultlineConfig): { environment: Environment; target: { url: string; close(): Promise<void> } } {
  const suite = {} as { environment: Environment; target: { url: string; close(): Promise<void> } };
  beforeAll(async () => {
    suite.environment = await startEnvironment(config);
    suite.target = await startTinyTarget(suite.environment.services.redis!.url);
  });
  afterAll(async () => {
    await suite.target?.close();
    await suite.environment?.stop();
  });
  return suite;
}
