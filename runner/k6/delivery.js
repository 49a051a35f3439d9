// Real-time delivery for Faultline's k6 socket modules (socketio.js, ws.js): the metrics,
// the sequence tracker and the connection lifecycle (connect timeout, reconnect with
// failover over several URLs, a clean close at the end of the run). Every metric is tagged
// with the phase: connection metrics with the phase they happened in, delivery metrics
// (lag, dropped, duplicates) with the phase the event was SENT in, so a threshold such as
// `faultline_ws_dropped{phase:recovery}` judges what was published during recovery.
import { WebSocket } from 'k6/websockets';
import { setInterval, clearInterval, setTimeout, clearTimeout } from 'k6/timers';
import { Counter, Rate, Trend } from 'k6/metrics';
import * as faultline from './faultline.js';

/** Time from opening the socket to the session being established (Socket.IO: the `40` answer), ms. */
export const connecting = new Trend('faultline_ws_connecting', true);
/** Sessions established (first connects and reconnects). */
export const connections = new Counter('faultline_ws_connections');
/** Per attempt: 1 when it failed (refused, timed out, or the server said no), 0 when it connected. */
export const connectFailed = new Rate('faultline_ws_connect_failed');
/** Receipt time − the publisher's send time, ms. */
export const lag = new Trend('faultline_ws_lag', true);
/** Per expected message: 1 when it never arrived (a sequence gap not filled within the grace time), 0 when it did. */
export const dropped = new Rate('faultline_ws_dropped');
/** Per received message: 1 when this socket had it already. */
export const duplicates = new Rate('faultline_ws_duplicates');
/** Messages received (first copies). */
export const messages = new Counter('faultline_ws_messages');
/** Sessions lost without being closed by the script (server gone, ping timeout, network). */
export const disconnects = new Counter('faultline_ws_disconnects');
/** Sessions established again after a loss. */
export const reconnects = new Counter('faultline_ws_reconnects');
/** From the loss of a session to the next one established, ms. */
export const reconnectTime = new Trend('faultline_ws_reconnect_time', true);

/** The phase tag for a moment (epoch ms). */
export function phaseTag(epochMs) {
  return faultline.phaseAt(epochMs - faultline.originMs);
}

// One sweep per VU settles every tracker's old gaps, instead of a timer per socket.
const trackers = new Set();
let sweeper;
function watch(tracker) {
  trackers.add(tracker);
  if (!sweeper) sweeper = setInterval(() => trackers.forEach((t) => t.settle(Date.now())), 1000);
}
function unwatch(tracker) {
  trackers.delete(tracker);
  if (trackers.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/**
 * Sequence tracking for one client (kept across its reconnects): a message with a sequence
 * number beyond the next expected opens a gap; a late message fills it (a replay after a
 * reconnect); a gap still open after `graceMs`, or when the client closes, is dropped.
 */
export class Tracker {
  constructor(options) {
    this.graceMs = (options && options.graceMs) || 5000;
    this.streams = {};
    watch(this);
  }

  /** The last sequence number seen on a stream (what a rejoin asks the server to replay after). */
  last(stream) {
    const s = this.streams[stream];
    return s ? s.last : undefined;
  }

  /** The sequence numbers of a stream still missing, lowest first. */
  missing(stream) {
    const s = this.streams[stream];
    return s ? Object.keys(s.missing).map(Number).sort((a, b) => a - b) : [];
  }

  /** Counts a message; returns false for a duplicate, `{ gap: [from, to] }` when it opened one, else true. */
  receive(stream, seq, sentAt, now) {
    const tags = { phase: phaseTag(sentAt), room: String(stream) };
    let s = this.streams[stream];
    let gap;
    if (!s) {
      // The first message of a stream on this client: nothing before it was expected.
      s = this.streams[stream] = { last: seq, lastSentAt: sentAt, missing: {} };
    } else if (seq > s.last) {
      if (seq > s.last + 1) gap = [s.last + 1, seq - 1];
      for (let missing = s.last + 1; missing < seq; missing++) {
        // When it was probably sent: between its neighbours.
        const estimated = s.lastSentAt + ((sentAt - s.lastSentAt) * (missing - s.last)) / (seq - s.last);
        s.missing[missing] = { sentAt: estimated, seenAt: now };
      }
      s.last = seq;
      s.lastSentAt = sentAt;
    } else if (s.missing[seq]) {
      delete s.missing[seq];
    } else {
      duplicates.add(1, tags);
      return false;
    }
    duplicates.add(0, tags);
    dropped.add(0, tags);
    messages.add(1, tags);
    lag.add(Math.max(0, now - sentAt), tags);
    return gap ? { gap } : true;
  }

  /** Gaps open longer than the grace time are dropped messages; `final` drops every open one. */
  settle(now, final) {
    for (const stream of Object.keys(this.streams)) {
      const s = this.streams[stream];
      for (const seq of Object.keys(s.missing)) {
        const gap = s.missing[seq];
        if (!final && now - gap.seenAt < this.graceMs) continue;
        dropped.add(1, { phase: phaseTag(gap.sentAt), room: String(stream) });
        delete s.missing[seq];
      }
    }
  }

  close() {
    this.settle(Date.now(), true);
    unwatch(this);
  }
}

/** A publisher's stamp in a message: `{ seq, sentAt }` and its room (or stream), the default for both modules. */
export function defaultStamp(payload, fallbackStream) {
  if (!payload || typeof payload !== 'object' || typeof payload.seq !== 'number' || typeof payload.sentAt !== 'number') return undefined;
  return { stream: payload.room || payload.stream || fallbackStream, seq: payload.seq, sentAt: payload.sentAt };
}

/**
 * One logical connection over raw WebSocket, kept up until the end of the run: a connect
 * timeout, a reconnect with backoff after a loss, trying the next URL each time (failover
 * over several app nodes), and a clean close when the phases end (or `close()`).
 * `protocol` speaks the wire format: `open(link)` when the socket opens, `message(link, data)`,
 * and it calls `link.established(info)` when the session is up.
 */
export class Link {
  constructor(urls, options, protocol) {
    this.urls = [].concat(urls);
    this.options = options || {};
    this.protocol = protocol;
    this.index = this.options.urlIndex || 0;
    this.closed = false;
    this.up = false;
    this.lostAt = undefined;
    this.attempt = 0;
    this.tags = this.options.tags || {};
    const until = this.options.untilMs === undefined ? faultline.remainingMs() : this.options.untilMs;
    this.endTimer = setTimeout(() => this.close(), Math.max(0, until));
    this.open();
  }

  get url() {
    return this.urls[this.index % this.urls.length];
  }

  open() {
    if (this.closed) return;
    const started = Date.now();
    const ws = new WebSocket(this.protocol.url(this.url), null, { headers: this.options.headers, tags: Object.assign({ phase: faultline.phase() }, this.tags) });
    this.ws = ws;
    this.openedAt = started;
    this.settled = false;
    const timeout = setTimeout(() => this.fail(ws, 'connect timeout'), this.options.connectTimeoutMs || 5000);
    this.connectTimer = timeout;
    ws.onopen = () => this.protocol.open(this);
    ws.onmessage = (event) => {
      if (ws === this.ws) this.protocol.message(this, event.data);
    };
    ws.onerror = () => this.fail(ws, 'error');
    // (An error after the session is up is followed by its close, which is the loss.)
    ws.onclose = () => this.lost(ws);
  }

  /** The protocol's session is up: count it, and time the reconnect if this follows a loss. */
  established(info) {
    clearTimeout(this.connectTimer);
    this.settled = true;
    this.up = true;
    this.attempt = 0;
    const tags = Object.assign({ phase: faultline.phase() }, this.tags);
    connecting.add(Date.now() - this.openedAt, tags);
    connectFailed.add(0, tags);
    connections.add(1, tags);
    const reconnected = this.lostAt !== undefined;
    if (reconnected) {
      reconnects.add(1, tags);
      reconnectTime.add(Date.now() - this.lostAt, tags);
      this.lostAt = undefined;
    }
    if (this.options.onConnect) this.options.onConnect(Object.assign({ reconnected }, info));
  }

  /** An attempt that did not become a session. */
  fail(ws, reason) {
    if (ws !== this.ws || this.settled) return;
    this.settled = true;
    clearTimeout(this.connectTimer);
    connectFailed.add(1, Object.assign({ phase: faultline.phase(), reason }, this.tags));
    try {
      ws.close();
    } catch (e) {
      // already closed
    }
    this.retry();
  }

  /** The socket closed: a loss unless the script closed it. */
  lost(ws) {
    if (ws !== this.ws) return;
    if (!this.settled) return this.fail(ws, 'closed');
    if (this.closed || !this.up) return;
    this.up = false;
    this.lostAt = Date.now();
    disconnects.add(1, Object.assign({ phase: faultline.phase() }, this.tags));
    if (this.protocol.lost) this.protocol.lost(this);
    if (this.options.onDisconnect) this.options.onDisconnect();
    this.retry();
  }

  /** The protocol gave up on the session (a ping timeout): a loss now, whenever the socket's close comes. */
  drop() {
    const ws = this.ws;
    if (!ws || !this.up) return;
    this.lost(ws);
    try {
      ws.close();
    } catch (e) {
      // already closed
    }
  }

  /** Lost (or never up): wait with backoff, then try the next URL. */
  retry() {
    if (this.closed || this.options.reconnect === false) return;
    const base = this.options.reconnectDelayMs || 250;
    const delay = Math.min(this.options.maxReconnectDelayMs || 2000, base * Math.pow(2, this.attempt++)) * (0.75 + Math.random() * 0.5);
    this.index++;
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  send(data) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(data);
  }

  /** Closes for good (the end of the run, or the script): no reconnect. */
  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.endTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    if (this.protocol.closing && this.up) this.protocol.closing(this);
    this.up = false;
    if (this.ws) {
      try {
        this.ws.close();
      } catch (e) {
        // already closed
      }
    }
    if (this.options.onClose) this.options.onClose();
  }
}

/**
 * Opens this iteration's share of its group's connections with `open(urls, n)` (n: the
 * connection's index in the group), spread over `rampMs` and over the group's targets, the
 * n-th connection starting at the n-th target. Returns what `open` returned, as it comes.
 */
export function holdConnections(o, open) {
  const count = o.count === undefined ? faultline.connections() : o.count;
  const first = o.first === undefined ? faultline.connectionIndex() : o.first;
  const rampMs = o.rampMs === undefined ? 2000 : o.rampMs;
  const held = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const start = () => {
      if (faultline.remainingMs() <= 0) return;
      const urls = o.urls || faultline.targets();
      held.push(open(urls.slice(n % urls.length).concat(urls.slice(0, n % urls.length)), n));
    };
    const delay = count > 1 ? (rampMs * i) / count : 0;
    if (delay > 0) setTimeout(start, delay);
    else start();
  }
  return held;
}
