import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../env/ports.ts';
import { checkHealth } from './health-preflight.ts';
import { TargetUnreachableError } from './target.ts';

describe('checkHealth', () => {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(request.url!);
    response.writeHead(request.url === '/api/health' ? 200 : 503).end();
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => void server.close());

  it('passes when the path answers the expected status, from the origin of the target', async () => {
    await checkHealth(`${url}/app/`, { path: '/api/health', status: 200 });
    expect(seen.at(-1)).toBe('/api/health');
  });

  it('stops the run (exit 2, no verdict) on another status or no answer, saying which', async () => {
    await expect(checkHealth(url, { path: '/ready', status: 200 })).rejects.toThrow(/GET \/ready answered 503, expected 200/);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const error = await checkHealth(closed, { path: '/api/health', status: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as Error).message).toMatch(/GET \/api\/health got no answer: .*ECONNREFUSED/);
  });
});
