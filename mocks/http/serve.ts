import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getResponse, type RequestHandler } from 'msw';

export interface ServeOptions {
  port?: number;
  /** Always loopback unless a test says otherwise. */
  host?: string;
  /** WebSocket upgrades (e.g. the RPC gateway's eth_subscribe) go here. */
  onUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * A hot route served straight on node:http, without building fetch Request/Response
   * objects: it answers (true) or leaves the request to the msw handlers (false). Its
   * answers must be the handlers' own (e.g. mocks/llm/direct.ts, the streaming chat route).
   */
  direct?: DirectRoute;
}

/** See ServeOptions.direct. */
export type DirectRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A running HTTP server for a set of msw handlers. */
export interface ServedHandlers extends AsyncDisposable {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves msw request handlers over real HTTP, so the handlers a user reuses in-process
 * with `setupServer()` are the same ones k6 and other processes hit. Response bodies
 * stream (SSE); a body stream that errors destroys the socket, which is how a handler
 * simulates a connection cut mid-response.
 */
export async function serveHandlers(handlers: RequestHandler[], options: ServeOptions = {}): Promise<ServedHandlers> {
  const host = options.host ?? '127.0.0.1';
  const direct = options.direct;
  const server = createServer((req, res) => {
    if (direct?.(req, res)) return;
    handle(handlers, req, res, host).catch((error: Error) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `mock handler failed: ${error.message}` } }));
      } else {
        res.destroy(error);
      }
    });
  });
  server.keepAliveTimeout = 65_000; // like cloud load balancers; k6 and SDKs keep connections alive
  if (options.onUpgrade) server.on('upgrade', options.onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections(); // hung requests (a "hang" fault) must not block shutdown
      server.close(() => resolve());
    });
  return { url: `http://${host}:${port}`, port, server, close, [Symbol.asyncDispose]: close };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * What the control API refuses before any handler sees it: a Host that is not a loopback
 * name (a page in a browser, rebinding its own domain to 127.0.0.1, could otherwise apply
 * faults), and a body that is not JSON (what a cross-origin form or `text/plain` fetch
 * sends without a CORS preflight). Reads are left alone.
 */
export function controlRequestRefusal(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): { status: number; message: string } | undefined {
  if (!req.url?.startsWith('/__faultline/') || req.method === 'GET' || req.method === 'HEAD') return undefined;
  const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!LOOPBACK_HOSTS.has(hostname)) return { status: 403, message: `the control API answers loopback hosts only (127.0.0.1, localhost), not "${hostname}"` };
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && type !== 'application/json') return { status: 415, message: `the control API takes application/json, not "${type || 'no content type'}"` };
  return undefined;
}

async function handle(handlers: RequestHandler[], req: IncomingMessage, res: ServerResponse, host: string): Promise<void> {
  const refused = controlRequestRefusal(req);
  if (refused) {
    res.writeHead(refused.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: refused.message } }));
    return;
  }
  // Handlers see the client hang up through request.signal (e.g. to stop a hung or streaming reply).
  const hangUp = new AbortController();
  res.once('close', () => hangUp.abort());
  const request = await toFetchRequest(req, host, hangUp.signal);
  const response = await getResponse(handlers, request);
  if (!response) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `no mock route for ${req.method} ${req.url}` } }));
    return;
  }
  await writeResponse(response, res);
}

/** Sends a fetch Response on a node:http response, its body streamed; a body that errors cuts the connection. */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = key === 'set-cookie' ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  // The client went away: stop producing (a streaming LLM must not generate into the void).
  res.once('close', () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch {
    res.destroy(); // body stream errored: cut the connection mid-response, like a dropped upstream
  }
}

async function toFetchRequest(req: IncomingMessage, host: string, signal: AbortSignal): Promise<Request> {
  const url = `http://${req.headers.host ?? host}${req.url ?? '/'}`;
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers, signal });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Request(url, { method, headers, signal, body: Buffer.concat(chunks) });
}
