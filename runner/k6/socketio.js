// Socket.IO for k6 (faultline/k6/socketio): the Socket.IO v4 protocol (Engine.IO 4) spoken
// over k6's event-loop WebSocket (k6/websockets), so one VU holds many sockets.
//
//   import * as faultline from 'faultline/k6';
//   import * as sio from 'faultline/k6/socketio';
//   export const listeners = faultline.iteration(() => {
//     sio.hold({ auth: (i) => ({ token: token(`listener-${i}`) }), rooms: ['streamer:1'] });
//   });
//
// Wire format: open `/socket.io/?EIO=4&transport=websocket`; the server's `0{sid,pingInterval,
// pingTimeout}`; the client's `40{auth}`; the server's `40{sid}` (or `44{message}`: refused);
// the server pings `2`, the client answers `3`; events `42[event, ...args]` (`42<id>[...]`
// wants an acknowledgement `43<id>[...]`); `41` disconnects. Every received event with a
// publisher's stamp (`{ seq, sentAt, room }`) feeds the delivery metrics (delivery.js).
import { clearTimeout, setTimeout } from 'k6/timers';
import * as faultline from './faultline.js';
import { defaultStamp, holdConnections, Link, Tracker } from './delivery.js';

export { connecting, connections, connectFailed, lag, dropped, duplicates, messages, disconnects, reconnects, reconnectTime } from './delivery.js';

/** `http://host:port` (or ws://) → the Engine.IO WebSocket URL. */
export function socketUrl(base, path, query) {
  const url = base.replace(/^http/, 'ws').replace(/\/+$/, '');
  const extra = Object.keys(query || {})
    .map((k) => `&${encodeURIComponent(k)}=${encodeURIComponent(query[k])}`)
    .join('');
  return `${url}${path || '/socket.io/'}?EIO=4&transport=websocket${extra}`;
}

/**
 * A Socket.IO client. `url`: one base URL or several (a reconnect tries the next: failover).
 * Options: `auth` (object or function, sent with the connect), `namespace` ('/'), `path`,
 * `query`, `connectTimeoutMs` (5000), `reconnect` (true), `reconnectDelayMs`, `join` (the
 * app's join event, 'join'), `resume(room, lastSeq)` (extra join arguments after a reconnect,
 * default `{ after: lastSeq }` so the app can replay what was missed), `repairGaps` (on a gap in
 * a joined room's sequence that stays open, join again with `{ after, seqs }` naming the missing
 * ones: the client half of an app's replay), `stamp(event, args)`
 * (the publisher's `{ stream, seq, sentAt }`, default from the first argument),
 * `graceMs` (how long a gap may stay open before its messages count as dropped), `onConnect`,
 * `onDisconnect`, `tags`, `untilMs` (default: the end of the phases).
 */
export function connect(url, options) {
  return new Client(url, options || {});
}

class Client {
  constructor(url, options) {
    this.options = options;
    this.namespace = options.namespace || '/';
    this.handlers = {};
    this.acks = {};
    this.nextAck = 0;
    this.rooms = [];
    this.joinEvent = options.join || 'join';
    this.tracker = options.track === false ? undefined : new Tracker({ graceMs: options.graceMs });
    this.stamp = options.stamp || ((event, args) => defaultStamp(args[0], event));
    // Socket.IO's connection-state recovery: the private session id and the last offset seen.
    this.pid = undefined;
    this.offset = undefined;
    this.connected = false;
    const client = this;
    this.link = new Link(url, Object.assign({}, options, { onConnect: (info) => client.onConnected(info), onDisconnect: () => client.onLost(), onClose: () => client.onClosed() }), {
      url: (base) => socketUrl(base, options.path, options.query),
      open: () => {},
      message: (link, data) => client.packet(String(data)),
      lost: () => client.stopPing(),
      closing: (link) => link.send(client.prefix('41')),
    });
  }

  /** `42` + `/chat,` for a namespace other than '/'. */
  prefix(type) {
    return this.namespace === '/' ? type : `${type}${this.namespace},`;
  }

  packet(data) {
    const engine = data[0];
    if (engine === '0') {
      const open = JSON.parse(data.slice(1));
      this.pingWithin = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
      const auth = typeof this.options.auth === 'function' ? this.options.auth() : this.options.auth;
      const payload = Object.assign({}, auth, this.pid ? { pid: this.pid, offset: this.offset } : {});
      this.link.send(this.prefix('40') + JSON.stringify(payload));
      this.watchPing();
      return;
    }
    if (engine === '2') {
      this.link.send('3');
      this.watchPing();
      return;
    }
    if (engine === '1') return this.drop();
    if (engine !== '4') return; // 3 pong, 6 noop: nothing to do
    this.socketPacket(data.slice(1));
  }

  socketPacket(body) {
    const type = body[0];
    let rest = body.slice(1);
    if (rest[0] === '/') {
      const comma = rest.indexOf(',');
      if (rest.slice(0, comma) !== this.namespace) return;
      rest = rest.slice(comma + 1);
    } else if (this.namespace !== '/') return;
    const idMatch = /^(\d+)/.exec(rest);
    const id = idMatch ? Number(idMatch[1]) : undefined;
    const json = idMatch ? rest.slice(idMatch[1].length) : rest;
    const payload = json ? JSON.parse(json) : undefined;
    if (type === '0') {
      const recovered = !!this.pid && payload && payload.pid === this.pid;
      if (payload && payload.pid) this.pid = payload.pid;
      this.connected = true;
      this.link.established({ sid: payload && payload.sid, recovered });
    } else if (type === '4') {
      this.link.fail(this.link.ws, `refused: ${(payload && payload.message) || 'connect error'}`);
    } else if (type === '1') {
      this.drop();
    } else if (type === '2') {
      this.event(payload, id);
    } else if (type === '3') {
      const ack = this.acks[id];
      delete this.acks[id];
      if (ack) ack.apply(null, payload || []);
    }
  }

  event(args, id) {
    const event = args[0];
    const rest = args.slice(1);
    // With connection-state recovery, the server adds each event's offset as its last argument.
    if (this.pid && typeof rest[rest.length - 1] === 'string') this.offset = rest[rest.length - 1];
    if (this.tracker) {
      const stamp = this.stamp(event, rest);
      const outcome = stamp && this.tracker.receive(stamp.stream, stamp.seq, stamp.sentAt, Date.now());
      if (outcome && outcome.gap && this.options.repairGaps && this.rooms.includes(stamp.stream)) this.repair(stamp.stream);
    }
    const handler = this.handlers[event];
    const ack = id === undefined ? undefined : (...answer) => this.link.send(this.prefix('43') + id + JSON.stringify(answer));
    if (handler) handler.apply(null, ack ? rest.concat([ack]) : rest);
  }

  /** The server pings every pingInterval; silence for pingInterval + pingTimeout means it is gone. */
  watchPing() {
    this.stopPing();
    if (this.pingWithin) this.pingTimer = setTimeout(() => this.drop(), this.pingWithin);
  }

  stopPing() {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  /** The session is gone (ping timeout, server disconnect): the link reconnects without waiting for the socket's close. */
  drop() {
    this.connected = false;
    this.stopPing();
    this.link.drop();
  }

  /**
   * A gap in a joined room's sequence: unless it fills within half a second (events of
   * concurrent emitters arrive out of order), join again asking for just the missing ones
   * (`{ after, seqs }`), and again every couple of seconds for what is still missing (a replay
   * lost with a session, or cut short) until the gap fills or counts as dropped. An app that
   * replays sends a socket nothing twice, so asking again costs no duplicate.
   */
  repair(room) {
    const repairing = (this.repairing = this.repairing || {});
    if (repairing[room]) return;
    repairing[room] = setTimeout(() => {
      delete repairing[room];
      const missing = this.tracker.missing(room);
      if (missing.length === 0) return;
      if (this.connected) {
        const now = Date.now();
        const before = (this.requested = this.requested || {})[room] || {};
        const requested = (this.requested[room] = {});
        const seqs = [];
        for (const s of missing) {
          if (before[s] > now) requested[s] = before[s];
          else if (seqs.length < 500) seqs.push(s);
        }
        for (const s of seqs) requested[s] = now + 2000;
        if (seqs.length > 0) this.emit(this.joinEvent, room, { after: seqs[0] - 1, seqs });
      }
      this.repair(room);
    }, 500);
  }

  onConnected(info) {
    // Rooms live on the server: join them again, asking for what was missed since the last message seen.
    for (const room of this.rooms) this.sendJoin(room, info.reconnected && !info.recovered);
    if (this.options.onConnect) this.options.onConnect(this, info);
  }

  onLost() {
    this.connected = false;
    if (this.options.onDisconnect) this.options.onDisconnect(this);
  }

  onClosed() {
    this.connected = false;
    this.stopPing();
    for (const room of Object.keys(this.repairing || {})) clearTimeout(this.repairing[room]);
    if (this.tracker) this.tracker.close();
  }

  sendJoin(room, resuming, ack) {
    const resume = this.options.resume || ((r, last) => (last === undefined ? [] : [{ after: last }]));
    const extra = resuming && this.tracker ? resume(room, this.tracker.last(room)) : [];
    this.emit.apply(this, [this.joinEvent, room].concat(extra, ack ? [ack] : []));
  }

  /** Listens to an event: `fn(...args)` (and an `ack` function last when the server wants one). */
  on(event, fn) {
    this.handlers[event] = fn;
    return this;
  }

  /** Emits an event; a function as last argument receives the server's acknowledgement. */
  emit(event, ...args) {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    let id = '';
    if (ack) {
      id = String(this.nextAck++);
      this.acks[id] = ack;
    }
    this.link.send(this.prefix('42') + id + JSON.stringify([event].concat(args)));
    return this;
  }

  /** Joins a room through the app's join event (again after every reconnect); `ack` gets the app's answer. */
  join(room, ack) {
    if (!this.rooms.includes(room)) this.rooms.push(room);
    if (this.connected) this.sendJoin(room, false, ack);
    return this;
  }

  /** Closes cleanly (`41`, then the socket): no reconnect. */
  close() {
    this.link.close();
  }
}

/**
 * Holds this iteration's share of its group's connections (`faultline.connections()`, or
 * `count`) until the end of the phases: each socket to the next of the group's targets
 * (clients spread over every app node; after a loss the next node), opened over `rampMs`
 * (default 2 s), joining `rooms` once connected; `auth(i)` gives the i-th socket's auth and
 * `on` its event handlers. Returns the clients.
 */
export function hold(options) {
  const o = options || {};
  return holdConnections(o, (urls, n) => {
    const client = connect(urls, Object.assign({}, o, { auth: o.auth ? () => o.auth(n) : undefined }));
    for (const room of o.rooms || []) client.join(room);
    if (o.on) for (const event of Object.keys(o.on)) client.on(event, o.on[event]);
    return client;
  });
}
