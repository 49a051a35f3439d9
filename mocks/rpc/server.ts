import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type ServedHandlers, serveHandlers } from '../http/serve.ts';
import { HANG, type RpcGateway } from './gateway.ts';
import { rpcHandlers } from './handlers.ts';
import { rpcWebSocket } from './websocket.ts';

export interface ServeRpcOptions {
  port?: number;
  host?: string;
}

/** A served gateway; close() also closes the WebSocket bridge and the upstream sockets. */
export interface ServedRpcGateway extends ServedHandlers {
  gateway: RpcGateway;
}

/**
 * Serves the gateway over HTTP and WebSocket. The msw handlers answer everything, but
 * provider POSTs take a direct node:http path to the same `gateway.handle`: building
 * fetch Request/Response objects costs ~0.5 ms per call, the whole overhead budget.
 */
export async function serveRpcGateway(gateway: RpcGateway, options: ServeRpcOptions = {}): Promise<ServedRpcGateway> {
  const bridge = rpcWebSocket(gateway);
  const served = await serveHandlers(rpcHandlers(gateway), { ...options, onUpgrade: bridge.onUpgrade });
  const [mswListener] = served.server.listeners('request') as RequestListener[];
  served.server.removeAllListeners('request');
  served.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = req.method === 'POST' ? gateway.route(req.url ?? '/') : undefined;
    if (route) answerDirect(gateway, route.name, route.key, req, res);
    else mswListener!(req, res);
  });
  const close = async () => {
    bridge.close();
    await served.close();
    gateway.close();
  };
  return { ...served, gateway, close, [Symbol.asyncDispose]: close };
}

function answerDirect(gateway: RpcGateway, name: string, key: string | undefined, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
    gateway.handle(name, key, body).then(
      (answer) => {
        if (answer === HANG) return; // say nothing; the socket closes when the client gives up
        res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
      },
      (error: Error) => {
        if (res.headersSent) return void res.destroy(error);
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `rpc gateway failed: ${error.message}` } }));
      },
    );
  });
}
