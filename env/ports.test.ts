import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PortInUseError } from './errors.ts';
import { claimPort, freePort, HOST, isListening } from './ports.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) => server.listen(port, HOST, () => resolve((server.address() as { port: number }).port)));
}

describe('claimPort', () => {
  it('refuses a pinned port that another process listens on with PortInUseError naming service and port', async () => {
    const taken = await listen();
    const error = await claimPort('redis', taken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect(error).toMatchObject({ service: 'redis', port: taken });
    expect((error as Error).message).toContain(`127.0.0.1:${taken} is already in use`);
    expect((error as Error).message).toContain('faultline.config.ts');
  });

  it('returns a pinned port that is free', async () => {
    const port = await freePort();
    await expect(claimPort('redis', port)).resolves.toBe(port);
  });

  it('picks a free port when none is pinned', async () => {
    const port = await claimPort('redis');
    expect(port).toBeGreaterThan(0);
    expect(await isListening(port)).toBe(false);
    await expect(listen(port)).resolves.toBe(port);
  });
});

describe('isListening', () => {
  it('tells a listening port from a closed one', async () => {
    const port = await listen();
    expect(await isListening(port)).toBe(true);
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    expect(await isListening(port)).toBe(false);
  });
});
