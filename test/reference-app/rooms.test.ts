import pg from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../examples/reference-app/src/app.ts';
import type { Environment } from '../../env/environment.ts';
import { testEnvironment } from '../support/environment.ts';
import { startTestApp, userClient } from './app.ts';

let env: Environment;
let app: App;
let db: pg.Pool;
const sockets: Socket[] = [];

beforeAll(async () => {
  env = await testEnvironment({ services: { postgres: true, redis: true, anvil: true } });
  app = await startTestApp(env);
  db = new pg.Pool({ connectionString: env.env.DATABASE_DIRECT_URL });
  db.on('error', () => {});
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await app?.close();
  await db?.end();
  await env?.stop();
});

/** A connected Socket.IO client that has joined `room`. */
async function joined(token: string, room: string): Promise<Socket> {
  const socket = connect(app.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const answer = await socket.timeout(5_000).emitWithAck('join', room);
  // A fresh join replays nothing (a rejoin with { after } replays what it missed: live.test.ts).
  expect(answer).toEqual({ ok: true, replayed: 0 });
  return socket;
}

const nextEvent = <T>(socket: Socket, event: string) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within 10 s`)), 10_000);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });

describe('reference app: chat rooms, Socket.IO, metrics', () => {
  it('pages a room newest first with a cursor, without gaps or repeats', async () => {
    await db.query(`INSERT INTO messages (tenant, room_id, user_id, body, created_at)
      SELECT 'demo', 'paged', 'u', 'm' || i, now() - make_interval(secs => 100 - i) FROM generate_series(1, 25) AS i`);
    const reader = await userClient(app, 'pager');
    const bodies: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page: any = (await reader.get(`/api/chat/rooms/paged/messages?limit=10${cursor ? `&before=${cursor}` : ''}`)).body;
      sizes.push(page.messages.length);
      bodies.push(...page.messages.map((m: { body: string }) => m.body));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 5]);
    expect(bodies).toEqual(Array.from({ length: 25 }, (_, i) => `m${25 - i}`));
    expect((await reader.get('/api/chat/rooms/paged/messages?before=garbage')).status).toBe(400);
  });

  it('serves a repeated read from the Redis cache, and a posted message reaches the room over Socket.IO and invalidates it', async () => {
    const poster = await userClient(app, 'poster');
    const listener = await joined(poster.token, 'chat:live');
    expect((await poster.get('/api/chat/rooms/live/messages')).headers.get('x-cache')).toBe('miss');
    expect((await poster.get('/api/chat/rooms/live/messages')).headers.get('x-cache')).toBe('hit');
    const delivered = nextEvent<{ body: string }>(listener, 'message');
    const posted = await poster.post('/api/chat/rooms/live/messages', { body: 'hello room' });
    expect(posted.status).toBe(200);
    expect((await delivered).body).toBe('hello room');
    // The emit job deletes the room's cached pages right after emitting.
    await expect.poll(async () => (await poster.get('/api/chat/rooms/live/messages')).body.messages[0]?.body, { timeout: 5_000 }).toBe('hello room');
  });

  it('keeps cached pages for 3 seconds at most', async () => {
    const reader = await userClient(app, 'ttl-reader');
    const read = await reader.get('/api/chat/rooms/ttl/messages');
    expect(read.headers.get('cache-control')).toBe('private, max-age=3, stale-while-revalidate=5');
    const ttl = await app.ctx.redis.pttl('messages:demo:ttl:30:latest');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_000);
  });

  it('sends gift-claimed to the gift room when a share is claimed', async () => {
    const claimer = await userClient(app, 'socket-claimer');
    const watcher = await joined(claimer.token, 'gift:7');
    const event = nextEvent<{ giftId: number; claim: { wallet: string; status: string } }>(watcher, 'gift-claimed');
    const claim = await claimer.post('/api/gifts/7/claim');
    expect(claim.status).toBe(200);
    expect(await event).toMatchObject({ giftId: 7, claim: { wallet: claim.body.claim.wallet, status: 'confirmed' } });
  });

  it('refuses a socket without a valid token', async () => {
    const socket = connect(app.url, { auth: { token: 'nope' }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await expect(new Promise((resolve, reject) => (socket.once('connect', () => resolve(undefined)), socket.once('connect_error', reject)))).rejects.toThrow(/Unauthorized/);
  });

  it('exposes request durations, cache hits, queue depth, sockets and RPC calls by provider in Prometheus format', async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/chat\/rooms\/:roomId\/messages",status="200"\} \d+/);
    expect(text).toMatch(/cache_requests_total\{cache="messages",result="hit"\} [1-9]/);
    expect(text).toMatch(/queue_depth\{queue="emit"\} \d+/);
    expect(text).toMatch(/socketio_connected_sockets [1-9]/);
    expect(text).toMatch(/rpc_calls_total\{provider="[^"]+",outcome="ok"\} [1-9]/);
  });

  it('answers with the caller’s x-request-id, or a fresh one', async () => {
    const given = await fetch(`${app.url}/api/health`, { headers: { 'x-request-id': 'req-from-the-caller' } });
    expect(given.headers.get('x-request-id')).toBe('req-from-the-caller');
    const fresh = await fetch(`${app.url}/api/health`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
  });
});
