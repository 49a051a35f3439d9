// Types of Faultline's Socket.IO module for k6 (faultline/k6/socketio).
import type { HoldOptions, LinkOptions, Stamp } from './delivery.js';

export { connecting, connections, connectFailed, lag, dropped, duplicates, messages, disconnects, reconnects, reconnectTime } from './delivery.js';

export interface SocketOptions extends LinkOptions {
  /** Sent with the connect packet (`40{...}`); a function is called for every (re)connect. */
  auth?: Record<string, unknown> | (() => Record<string, unknown>);
  namespace?: string;
  /** Default '/socket.io/'. */
  path?: string;
  query?: Record<string, string>;
  /** The app's join event; default 'join'. */
  join?: string;
  /** Extra join arguments after a reconnect; default `{ after: lastSeq }` (what the app may replay from). */
  /** On a gap in a joined room's sequence that stays open, join again with `{ after, seqs }` naming the missing ones (the client half of an app's replay). */
  repairGaps?: boolean;
  resume?: (room: string, lastSeq: number | undefined) => unknown[];
  /** The publisher's stamp of an event; default `{ room, seq, sentAt }` of its first argument. */
  stamp?: (event: string, args: unknown[]) => Stamp | undefined;
  onConnect?: (client: Client, info: { reconnected: boolean; recovered: boolean; sid?: string }) => void;
  onDisconnect?: (client: Client) => void;
}

export interface Client {
  readonly connected: boolean;
  on(event: string, fn: (...args: any[]) => void): Client;
  /** A function as last argument receives the acknowledgement. */
  emit(event: string, ...args: unknown[]): Client;
  /** Joins a room through the app's join event, again after every reconnect. */
  join(room: string, ack?: (...answer: any[]) => void): Client;
  close(): void;
}

/** `http://host:port` → `ws://host:port/socket.io/?EIO=4&transport=websocket`. */
export function socketUrl(base: string, path?: string, query?: Record<string, string>): string;
/** A Socket.IO client over raw WebSocket; several URLs: a reconnect tries the next. */
export function connect(url: string | string[], options?: SocketOptions): Client;
/** Holds this iteration's share of its group's connections until the end of the phases. */
export function hold(options?: SocketOptions & HoldOptions & { auth?: (n: number) => Record<string, unknown>; rooms?: string[]; on?: Record<string, (...args: any[]) => void> }): Client[];
