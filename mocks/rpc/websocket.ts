import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Reply, RpcId } from './answers.ts';
import { HANG, parseRequest, type Provider, type RpcGateway } from './gateway.ts';

/** Subscriptions live on anvil's socket; everything else is an ordinary call through the gateway. */
const SUBSCRIPTION_METHODS = new Set(['eth_subscribe', 'eth_unsubscribe']);

/**
 * JSON-RPC over WebSocket on the providers' paths (`ws://…/infura/<key>`). Calls go through
 * `gateway.handle` (same limits and faults as HTTP, refusals as JSON-RPC errors, e.g.
 * Alchemy's code 429); `eth_subscribe` is admitted the same way and then passed through
 * to anvil on a socket of its own per client, so newHeads notifications flow unchanged.
 */
export function rpcWebSocket(gateway: RpcGateway) {
  const wss = new WebSocketServer({ noServer: true });
  const upstreamUrl = gateway.upstream.url.replace(/^http/, 'ws');

  return {
    onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const route = gateway.route(request.url ?? '/');
      const provider = route && gateway.providers.get(route.name);
      if (!route || !provider) return refuse(socket, 404, 'Not Found', 'no such provider\n');
      if (provider.options.keys.length > 0 && (!route.key || !provider.options.keys.includes(route.key))) {
        // Both providers refuse the handshake itself for a bad key.
        return refuse(socket, 401, 'Unauthorized', provider.options.style === 'infura' ? 'invalid project id\n' : 'Must be authenticated!\n');
      }
      wss.handleUpgrade(request, socket, head, (client) => bridge(gateway, provider, route.key, client, upstreamUrl));
    },
    close(): void {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function bridge(gateway: RpcGateway, provider: Provider, key: string | undefined, client: WebSocket, upstreamUrl: string): void {
  let upstream: WebSocket | undefined;
  const pending: string[] = [];
  const toAnvil = (text: string) => {
    if (!upstream) {
      upstream = new WebSocket(upstreamUrl);
      upstream.on('open', () => pending.splice(0).forEach((m) => upstream!.send(m)));
      upstream.on('message', (data: RawData) => client.readyState === WebSocket.OPEN && client.send(data.toString()));
      // Anvil went away: so does the provider's socket, and clients reconnect as they would in production.
      upstream.on('close', () => client.close(1011, 'upstream closed'));
      upstream.on('error', () => client.close(1011, 'upstream unavailable'));
    }
    if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
    else pending.push(text);
  };
  const reply = (answer: Reply, ids: RpcId[]) => {
    if (client.readyState !== WebSocket.OPEN) return;
    if (answer.headers['content-type']?.startsWith('application/json')) {
      client.send(answer.body);
      // Out of daily credits, Infura severs WebSocket connections rather than refusing call by call.
      if (answer.status === 402) client.close(1008, 'daily credit limit reached');
      return;
    }
    // A plain-text HTTP answer (an HTTP status fault) has no WebSocket form: make it a JSON-RPC error.
    client.send(JSON.stringify({ jsonrpc: '2.0', id: ids[0] ?? null, error: { code: -32603, message: answer.body.trim() } }));
  };

  client.on('message', async (data: RawData) => {
    const text = data.toString();
    const request = parseRequest(text);
    const ids = request?.calls.map((c) => c.id) ?? [null];
    if (request && !request.batch && SUBSCRIPTION_METHODS.has(request.calls[0]!.method)) {
      const refused = await gateway.admit(provider, key, request.calls, false);
      if (refused === HANG) return;
      if (refused) return reply(refused, ids);
      return toAnvil(text);
    }
    const answer = await gateway.handle(provider.name, key, text);
    if (answer !== HANG) reply(answer, ids);
  });
  client.on('close', () => upstream?.terminate());
  client.on('error', () => upstream?.terminate());
}

function refuse(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
