import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../examples/reference-app/src/app.ts';
import type { Environment } from '../../env/environment.ts';
import { testEnvironment } from '../support/environment.ts';
import { startTestApp, userClient } from './app.ts';

interface LiveEvent {
  room: string;
  seq: number;
  sentAt: number;
  version: number;
}

let env: Environment;
let publisher: App;
let other: App;
let plain: App;
const sockets: Socket[] = [];

// Fast enough to see several events in a second; one publisher, two more instances that only serve.
const REALTIME = { PUBLISH_HZ: '10', PUBLISH_STREAMERS: 'live-test', PING_INTERVAL: '400', PING_TIMEOUT: '400' };

beforeAll(async () => {
  env = await testEnvironment({ services: { postgres: true, redis: true, anvil: true } });
  publisher = await startTestApp(env, 'all', REALTIME);
  other = await startTestApp(env, 'all', { ...REALTIME, PUBLISHER: 'off' });
  plain = await startTestApp(env, '-socket-recovery', { ...REALTIME, PUBLISHER: 'off' });
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await Promise.all([publisher?.close(), other?.close(), plain?.close()]);
  await env?.stop();
});

async function listener(app: App, user: string): Promise<{ socket: Socket; events: LiveEvent[] }> {
  const { token } = await userClient(app, user);
  const socket = connect(app.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  const events: LiveEvent[] = [];
  socket.on('EVENT_UPDATED', (e: LiveEvent) => events.push(e));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  expect(await socket.timeout(5000).emitWithAck('join', 'streamer:live-test')).toMatchObject({ ok: true });
  return { socket, events };
}

const seqs = (events: LiveEvent[]) => events.map((e) => e.seq);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reference app: live events, two instances, socket-recovery', () => {
  it('publishes EVENT_UPDATED to the streamer room at the configured rate, stamped with a sequence and send time, to clients of every instance', async () => {
    const here = await listener(publisher, 'live-a');
    const there = await listener(other, 'live-b');
    await sleep(1500);
    for (const { events } of [here, there]) {
      expect(events.length).toBeGreaterThanOrEqual(10); // 10 Hz for 1.5 s
      const s = seqs(events);
      expect(s).toEqual(Array.from({ length: s.length }, (_, i) => s[0]! + i)); // no gaps, no repeats
      expect(Date.now() - events.at(-1)!.sentAt).toBeLessThan(1000);
      expect(events[0]).toMatchObject({ room: 'streamer:live-test', version: events[0]!.seq });
    }
    // The other instance's clients get them through the Redis adapter: the same events.
    expect(seqs(there.events).filter((s) => seqs(here.events).includes(s)).length).toBeGreaterThan(5);
  });

  it('serves the live event from Postgres and then from the Redis cache within its TTL, with version and update time', async () => {
    const first = await fetch(`${other.url}/api/events/live?streamerId=live-test`);
    expect(first.status).toBe(200);
    const body = (await first.json()) as { version: number; updatedAt: number; servedAt: number };
    expect(body.version).toBeGreaterThan(0);
    expect(body.servedAt - body.updatedAt).toBeLessThan(1000);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect((await fetch(`${other.url}/api/events/live?streamerId=live-test`)).headers.get('x-cache')).toBe('hit');
    expect((await fetch(`${other.url}/api/events/live?streamerId=nobody`)).status).toBe(404);
  });

  it('says its ping interval in the Engine.IO handshake (PING_INTERVAL, PING_TIMEOUT)', async () => {
    const open = await (await fetch(`${other.url}/socket.io/?EIO=4&transport=polling`)).text();
    expect(JSON.parse(open.slice(1))).toMatchObject({ pingInterval: 400, pingTimeout: 400 });
  });

  it('with socket-recovery, replays to a rejoining client exactly the events it missed; without, they are lost', async () => {
    for (const [app, replays] of [
      [other, true],
      [plain, false],
    ] as const) {
      const first = await listener(app, `rejoin-${replays}`);
      await sleep(500);
      first.socket.disconnect();
      const last = first.events.at(-1)!.seq;
      await sleep(1200); // ≈ 12 events published meanwhile
      const { token } = await userClient(app, `rejoin-${replays}`);
      const socket = connect(app.url, { auth: { token }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      const events: LiveEvent[] = [];
      socket.on('EVENT_UPDATED', (e: LiveEvent) => events.push(e));
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      const answer = await socket.timeout(5000).emitWithAck('join', 'streamer:live-test', { after: last });
      await sleep(1500);
      const got = [...first.events.map((e) => e.seq), ...seqs(events)];
      const missing = Array.from({ length: got.at(-1)! - got[0]! + 1 }, (_, i) => got[0]! + i).filter((s) => !got.includes(s));
      if (replays) {
        expect(answer).toMatchObject({ ok: true });
        expect((answer as { replayed: number }).replayed).toBeGreaterThanOrEqual(8);
        expect(missing).toEqual([]);
        expect(new Set(got).size).toBe(got.length); // nothing twice
      } else {
        expect(answer).toMatchObject({ ok: true, replayed: 0 });
        expect(missing.length).toBeGreaterThanOrEqual(8);
      }
    }
  });
});
