// Types of the delivery metrics shared by faultline/k6/socketio and faultline/k6/ws.

interface Metric {
  add(value: number | boolean, tags?: Record<string, string>): void;
}
/** Session established, ms (Socket.IO: until the `40` answer). */
export const connecting: Metric;
/** Sessions established. */
export const connections: Metric;
/** Per attempt: 1 when it did not connect. */
export const connectFailed: Metric;
/** Receipt − the publisher's send time, ms, tagged with the phase it was sent in. */
export const lag: Metric;
/** Per expected message: 1 when it never arrived. */
export const dropped: Metric;
/** Per received message: 1 when the socket had it already. */
export const duplicates: Metric;
/** Messages received. */
export const messages: Metric;
/** Sessions lost. */
export const disconnects: Metric;
/** Sessions established again after a loss. */
export const reconnects: Metric;
/** From a loss to the next session, ms. */
export const reconnectTime: Metric;

/** A publisher's stamp: which stream (room), its sequence number and send time (epoch ms). */
export interface Stamp {
  stream: string;
  seq: number;
  sentAt: number;
}

/** What every socket module's connect() takes besides its own options. */
export interface LinkOptions {
  /** Per attempt, ms; default 5000. */
  connectTimeoutMs?: number;
  /** Reconnect after a loss (default true), with backoff from reconnectDelayMs (250) to maxReconnectDelayMs (2000). */
  reconnect?: boolean;
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  /** How long a sequence gap may stay open before its messages count as dropped, ms; default 5000. */
  graceMs?: number;
  /** false: no delivery tracking. */
  track?: boolean;
  /** When to close, ms from now; default the end of the phases. */
  untilMs?: number;
}

/** What hold() takes besides a connect()'s options. */
export interface HoldOptions {
  /** Sockets to hold; default this iteration's share of its group's `connections`. */
  count?: number;
  /** Index of the first of them in the group; default from the VU's place in its group. */
  first?: number;
  /** Spread the opening over this long, ms; default 2000. */
  rampMs?: number;
  /** Where to connect; default the group's targets (the n-th socket starts at the n-th). */
  urls?: string[];
}
