import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';

/** The Redis stream that keeps a room's recent events for replay (socket-recovery). */
export const streamKey = (serverRoom: string) => `live:stream:${serverRoom}`;
/** Events kept per room: minutes of a 2 Hz stream, far more than a reconnect misses. */
const KEEP = 5000;
/** Stream entries read per round trip while looking back for what a socket missed. */
const PAGE = 100;
/**
 * Events recorded less than this ago may still be on their way to a socket that just joined
 * (the Redis adapter delivers them a moment later): they are replayed only after this long,
 * and only when they did not arrive live meanwhile, so nothing is sent twice. Counted from
 * the stream entry's time (when it was recorded, just before its live emit), not the
 * message's: a message that waited in the queue is old but its live copy may be in flight.
 */
const SETTLE_MS = 1000;

/** A replayable event with its room's sequence number (concurrent emitters may record them slightly out of order). */
export async function recordEvent(redis: Redis, serverRoom: string, seq: number, event: string, payload: object): Promise<void> {
  await redis.xadd(streamKey(serverRoom), 'MAXLEN', '~', String(KEEP), '*', 'seq', String(seq), 'event', event, 'payload', JSON.stringify(payload));
}

/**
 * What earlier replays sent this socket in a room. A client asks for a gap again while the
 * first replay is still on its way to it (it has not read it yet): what went once does not
 * go again. Kept for the socket's life, minus what lies well before `after`.
 */
function replayedTo(socket: Socket, serverRoom: string, after: number): Set<number> {
  const all = ((socket.data as { replayed?: Map<string, Set<number>> }).replayed ??= new Map());
  let seqs = all.get(serverRoom);
  if (!seqs) all.set(serverRoom, (seqs = new Set()));
  for (const seq of seqs) if (seq <= after - 50) seqs.delete(seq);
  return seqs;
}

/**
 * Sends a socket that has just (re)joined `serverRoom` every event after `after` that it
 * missed, oldest first. The socket has joined already, so every event from now on reaches it
 * live; what it gets live meanwhile, or got from an earlier replay, is not replayed. `only` narrows it to the events a client
 * saw missing in its sequence (it has the others). Returns how many were replayed.
 */
export async function replayMissed(socket: Socket, redis: Redis, serverRoom: string, after: number, only?: number[]): Promise<number> {
  const wanted = only ? new Set(only) : undefined;
  const replayed = replayedTo(socket, serverRoom, after);
  const live = new Set<number>();
  const seen = (_event: string, payload?: { seq?: unknown }) => {
    if (payload && typeof payload.seq === 'number') live.add(payload.seq);
  };
  socket.onAnyOutgoing(seen);
  let sent = 0;
  try {
    // Newest first until the first one the socket had: what it missed, then in order.
    const events: Array<{ seq: number; recordedAt: number; event: string; payload: object }> = [];
    // A page at a time (a rejoin usually misses a few events; many clients rejoin at once).
    let end = '+';
    for (let read = 0; read < KEEP; read += PAGE) {
      const page = await redis.xrevrange(streamKey(serverRoom), end, '-', 'COUNT', PAGE);
      let older = false;
      for (const [id, fields] of page) {
        if (id === end) continue;
        const f: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
        const seq = Number(f.seq);
        if (seq <= after - 50) older = true; // well before what it saw: nothing older can be missing
        else if (seq > after && (!wanted || wanted.has(seq))) events.push({ seq, recordedAt: Number(id.split('-')[0]), event: f.event!, payload: JSON.parse(f.payload!) });
      }
      if (older || page.length < PAGE) break;
      end = page[page.length - 1]![0];
    }
    events.sort((a, b) => a.seq - b.seq);
    const send = (e: (typeof events)[number]) => {
      if (live.has(e.seq) || replayed.has(e.seq) || !socket.connected) return;
      replayed.add(e.seq);
      socket.emit(e.event, e.payload);
      sent++;
    };
    const [seconds, micros] = await redis.time(); // the clock of the stream's ids
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const recent = events.filter((e) => now - e.recordedAt < SETTLE_MS);
    events.filter((e) => !recent.includes(e)).forEach(send);
    if (recent.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      recent.forEach(send);
    }
  } finally {
    socket.offAnyOutgoing(seen);
  }
  return sent;
}
