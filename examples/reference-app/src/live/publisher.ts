import type { AppContext } from '../context.ts';
import { recordEvent } from './replay.ts';

/** What EVENT_UPDATED carries: the streamer's live event, stamped for delivery measurement (sequence number and send time). */
export interface LiveEvent {
  room: string;
  streamerId: string;
  seq: number;
  version: number;
  sentAt: number;
  viewers: number;
}

/**
 * Publishes each streamer's live event to its room (`streamer:<id>`) at `publishHz`, as
 * EVENT_UPDATED through the Redis adapter (so every app instance's clients get it), with a
 * sequence number and the send time. The event is also written to Postgres (what
 * GET /api/events/live serves) and, with socket-recovery, to the room's Redis stream for
 * replay. Returns stop().
 */
export async function startPublisher(ctx: AppContext): Promise<() => void> {
  const { publishHz, streamers } = ctx.config.realtime;
  const recovery = ctx.config.mitigations['socket-recovery'];
  // Sequence numbers continue across restarts from the versions in Postgres.
  const { rows } = await ctx.pool.query<{ streamer_id: string; version: number }>('SELECT streamer_id, version FROM live_events WHERE streamer_id = ANY($1)', [streamers]);
  const seqs = new Map(streamers.map((id) => [id, Number(rows.find((r) => r.streamer_id === id)?.version ?? 0)]));
  const writing = new Set<string>();
  const periodMs = 1000 / publishHz;
  const startedAt = Date.now();
  let ticks = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const publish = async (streamerId: string) => {
    const seq = seqs.get(streamerId)! + 1;
    seqs.set(streamerId, seq);
    const event: LiveEvent = { room: `streamer:${streamerId}`, streamerId, seq, version: seq, sentAt: Date.now(), viewers: ctx.io.of('/').adapter.rooms.get(`streamer:${streamerId}`)?.size ?? 0 };
    // Recorded before it is sent, so a socket that joins and reads the stream cannot miss it.
    if (recovery) await recordEvent(ctx.redis, event.room, seq, 'EVENT_UPDATED', event).catch(() => {});
    ctx.io.to(event.room).emit('EVENT_UPDATED', event);
    // The latest version wins: a slow database gets one write per streamer at a time.
    if (writing.has(streamerId)) return;
    writing.add(streamerId);
    ctx.pool
      .query(
        `INSERT INTO live_events (streamer_id, version, payload, updated_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))
         ON CONFLICT (streamer_id) DO UPDATE SET version = EXCLUDED.version, payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at WHERE live_events.version < EXCLUDED.version`,
        [streamerId, seq, JSON.stringify(event), event.sentAt],
      )
      .catch((error: Error) => ctx.log.warn({ err: error.message }, 'live event not stored'))
      .finally(() => writing.delete(streamerId));
  };

  // A fixed cadence from the start, so a slow tick does not shift the ones after it.
  const tick = () => {
    if (stopped) return;
    ticks++;
    for (const id of streamers) void publish(id);
    timer = setTimeout(tick, Math.max(0, startedAt + ticks * periodMs - Date.now()));
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
