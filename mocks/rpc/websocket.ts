import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RpcGateway } from './gateway.ts';

/** Placeholder until the WebSocket bridge lands: refuses upgrades. */
export function rpcWebSocket(_gateway: RpcGateway) {
  return {
    onUpgrade(_request: IncomingMessage, socket: Duplex, _head: Buffer) {
      socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\n\r\n');
    },
    close() {},
  };
}
