import type { AppContext } from '../context.ts';
import { recordEvent } from '../live/replay.ts';

export interface EmitJob {
  tenant: string;
  roomId: string;
  message: MessageView;
}

interface MessageView {
  id: number;
  roomId: string;
  userId: string;
  body: string;
  createdAt: string;
}

/** The Redis hash that holds every cached page of a room (one field per limit+cursor). */
export const roomCacheKey = (tenant: string, roomId: string) => `cache:messages:${tenant}:${roomId}`;

/**
 * The BullMQ job: send the message to the room's sockets, stamped with the room's sequence
 * number and the time it was posted (so listeners measure delivery lag and gaps), kept in the
 * room's stream for replay (socket-recovery), and drop the room's cached pages.
 */
export async function emitMessage(ctx: AppContext, job: EmitJob): Promise<void> {
  const serverRoom = `chat:${job.tenant}:${job.roomId}`;
  const seq = await ctx.redis.incr(`room:seq:${serverRoom}`);
  const payload = { ...job.message, room: `chat:${job.roomId}`, seq, sentAt: Date.parse(job.message.createdAt) || Date.now() };
  if (ctx.config.mitigations['socket-recovery']) await recordEvent(ctx.redis, serverRoom, seq, 'message', payload).catch(() => {});
  ctx.io.to(serverRoom).emit('message', payload);
  await ctx.redis.del(roomCacheKey(job.tenant, job.roomId));
}
