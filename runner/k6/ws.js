// Plain WebSocket for k6 (faultline/k6/ws), with the same delivery metrics as the Socket.IO
// module: connect time, failures, lag, dropped, duplicates, reconnects. A message whose JSON
// carries a publisher's stamp (`{ seq, sentAt, room }`) is tracked.
//
//   import * as ws from 'faultline/k6/ws';
//   export const listeners = faultline.iteration(() => { ws.hold({ path: '/feed' }); });
import { defaultStamp, holdConnections, Link, Tracker } from './delivery.js';

export { connecting, connections, connectFailed, lag, dropped, duplicates, messages, disconnects, reconnects, reconnectTime } from './delivery.js';

/**
 * A WebSocket client kept up until the end of the phases (reconnecting, failing over to the
 * next URL). Options: `path` appended to an http(s) base URL, `headers`, `connectTimeoutMs`,
 * `reconnect`, `onMessage(data, client)`, `onConnect`, `stamp(message)` (the publisher's
 * `{ stream, seq, sentAt }`, default from the JSON message), `graceMs`, `tags`, `untilMs`.
 */
export function connect(url, options) {
  const o = options || {};
  const tracker = o.track === false ? undefined : new Tracker({ graceMs: o.graceMs });
  const stamp = o.stamp || ((message) => defaultStamp(message, 'ws'));
  const client = {
    send: (data) => link.send(typeof data === 'string' ? data : JSON.stringify(data)),
    close: () => link.close(),
    tracker,
  };
  const link = new Link(url, Object.assign({}, o, { onConnect: (info) => o.onConnect && o.onConnect(client, info), onClose: () => tracker && tracker.close() }), {
    url: (base) => base.replace(/^http/, 'ws').replace(/\/+$/, '') + (o.path || ''),
    open: (l) => l.established({}),
    message: (l, data) => {
      let message = data;
      if (typeof data === 'string') {
        try {
          message = JSON.parse(data);
        } catch (e) {
          message = data;
        }
      }
      const s = tracker && stamp(message);
      if (s) tracker.receive(s.stream, s.seq, s.sentAt, Date.now());
      if (o.onMessage) o.onMessage(message, client);
    },
  });
  return client;
}

/** Holds this iteration's share of its group's connections until the end of the phases, like socketio.hold(). */
export function hold(options) {
  const o = options || {};
  return holdConnections(o, (urls) => connect(urls, o));
}
