import { Queue, Worker } from 'bullmq';
import type { AppContext } from '../context.ts';
import { transaction } from '../db.ts';
import { createBlockingRedis } from '../redis.ts';
import { emitMessage, type EmitJob } from '../rooms/routes.ts';

export const CHAT_ROOMS_QUEUE = 'chat-rooms';

/** Every latest page of a room (one per limit); older pages do not change when a message is posted. */
export const latestPageKeys = (tenant: string, roomId: string) => Array.from({ length: 100 }, (_, i) => `messages:${tenant}:${roomId}:${i + 1}:latest`);

/**
 * The queue a post hands the rest of its work to, and the worker that does it: the room's
 * last message time and count, the members' unread counts, the socket emit and dropping
 * the room's cached latest pages. A job that runs twice counts its message once (`bookkept`).
 */
export function startChatWorker(ctx: AppContext): { queue: Queue<EmitJob>; close(): Promise<void> } {
  const connections = [createBlockingRedis(ctx.config.redisUrl), createBlockingRedis(ctx.config.redisUrl)] as const;
  const queue = new Queue<EmitJob>(CHAT_ROOMS_QUEUE, { connection: connections[0] });
  const worker = new Worker<EmitJob>(CHAT_ROOMS_QUEUE, (job) => afterPost(ctx, job.data), { connection: connections[1], concurrency: 8 });
  worker.on('error', (error) => ctx.log.warn({ err: error.message }, 'chat-rooms worker error'));
  return {
    queue,
    async close() {
      await worker.close().catch(() => {});
      await queue.close().catch(() => {});
      connections.forEach((c) => c.disconnect());
    },
  };
}

async function afterPost(ctx: AppContext, job: EmitJob): Promise<void> {
  const { tenant, roomId, message } = job;
  await transaction(ctx.pool, async (client) => {
    const { rowCount } = await client.query('UPDATE messages SET bookkept = true WHERE id = $1 AND NOT bookkept', [message.id]);
    if (!rowCount) return;
    await client.query(
      `INSERT INTO chat_rooms (tenant, room_id, last_message_at, message_count) VALUES ($1, $2, $3, 1)
       ON CONFLICT (tenant, room_id) DO UPDATE SET last_message_at = greatest(chat_rooms.last_message_at, excluded.last_message_at), message_count = chat_rooms.message_count + 1`,
      [tenant, roomId, message.createdAt],
    );
    await client.query('UPDATE chat_room_members SET unread = unread + 1 WHERE tenant = $1 AND room_id = $2 AND user_id <> $3', [tenant, roomId, message.userId]);
    await client.query(
      `INSERT INTO chat_room_members (tenant, room_id, user_id, unread) VALUES ($1, $2, $3, 0) ON CONFLICT (tenant, room_id, user_id) DO UPDATE SET unread = 0`,
      [tenant, roomId, message.userId],
    );
  });
  await emitMessage(ctx, job);
  await ctx.redis.del(...latestPageKeys(tenant, roomId));
}
