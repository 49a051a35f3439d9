import { createServer, Socket } from 'node:net';
import { PortInUseError } from './errors.ts';

/** Everything Faultline starts binds here: nothing is reachable from outside the machine. */
export const HOST = '127.0.0.1';

/** A port the OS says is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `port` if given and free, a free port otherwise. A taken pinned port is a PortInUseError. */
export async function claimPort(service: string, port?: number): Promise<number> {
  if (port === undefined || port === 0) return freePort();
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
  if (!free) throw new PortInUseError(service, port);
  return port;
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, HOST);
  });
}
