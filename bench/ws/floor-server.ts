/**
 * The floor of `npm run bench:ws`: a bare `ws` server that sends every client the same
 * stamped event (`{ room, seq, sentAt }`) at PUBLISH_HZ, nothing else. `PORT` to listen on;
 * prints "listening" when ready.
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: Number(process.env.PORT), perMessageDeflate: false });
let seq = 0;
setInterval(() => {
  const message = JSON.stringify({ room: 'floor', seq: ++seq, sentAt: Date.now() });
  for (const client of server.clients) if (client.readyState === 1) client.send(message);
}, 1000 / Number(process.env.PUBLISH_HZ ?? 2));
server.on('listening', () => console.log('listening'));
