// Types of Faultline's plain WebSocket module for k6 (faultline/k6/ws).
import type { HoldOptions, LinkOptions, Stamp } from './delivery.js';

export { connecting, connections, connectFailed, lag, dropped, duplicates, messages, disconnects, reconnects, reconnectTime } from './delivery.js';

export interface WsOptions extends LinkOptions {
  /** Appended to an http(s) base URL. */
  path?: string;
  onMessage?: (message: unknown, client: WsClient) => void;
  onConnect?: (client: WsClient, info: { reconnected: boolean }) => void;
  /** The publisher's stamp of a message; default `{ room, seq, sentAt }` of its JSON. */
  stamp?: (message: unknown) => Stamp | undefined;
}

export interface WsClient {
  send(data: unknown): void;
  close(): void;
}

export function connect(url: string | string[], options?: WsOptions): WsClient;
export function hold(options?: WsOptions & HoldOptions): WsClient[];
