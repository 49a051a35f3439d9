import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'msw';
import { type DirectRoute, serveHandlers } from './serve.ts';

/** What env:up passes a mock process, as one JSON argument (see mocks/service.ts). */
export interface MockLaunch<Options = any> {
  port: number;
  seed: number;
  options: Options;
  /** Direct URLs of the services the mock depends on (e.g. anvil for the RPC gateway). */
  upstreams: Record<string, string>;
}

export interface MockServer {
  handlers: RequestHandler[];
  onUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** A hot route answered on node:http before the msw handlers (see ServeOptions.direct). */
  direct?: DirectRoute;
  /** Called on shutdown (close upstream sockets, timers). */
  close?: () => Promise<void> | void;
}

/**
 * Entry point of a mock process: reads its launch JSON from argv, serves the mock's
 * handlers on 127.0.0.1 and shuts down cleanly on SIGTERM/SIGINT.
 */
export async function runMock<O>(name: string, create: (launch: MockLaunch<O>) => Promise<MockServer> | MockServer): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error(`usage: ${name} '<launch json: {"port":…,"seed":…,"options":{…},"upstreams":{…}}>'`);
  const launch = JSON.parse(raw) as MockLaunch<O>;
  const mock = await create(launch);
  const served = await serveHandlers(mock.handlers, { port: launch.port, onUpgrade: mock.onUpgrade, direct: mock.direct });
  console.log(`${name} mock listening on ${served.url} (seed ${launch.seed})`);
  const shutdown = async () => {
    await mock.close?.();
    await served.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown).once('SIGINT', shutdown);
}
