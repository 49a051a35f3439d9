import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server as SocketServer } from 'socket.io';
import { authenticate, type Caller } from './auth.ts';
import { CircuitBreaker } from './breaker.ts';
import { Treasury } from './chain/chain.ts';
import { rpcTransport } from './chain/transport.ts';
import type { AppConfig } from './config.ts';
import type { AppContext } from './context.ts';
import { createPool, migrate } from './db.ts';
import { frameRoutes } from './frames/routes.ts';
import { reconcilePending } from './gifts/claims.ts';
import { giftRoutes } from './gifts/routes.ts';
import { HttpError, withTimeout } from './http-error.ts';
import { invariantRoutes } from './invariants.ts';
import { chatRoutes } from './llm/routes.ts';
import { createMetrics } from './metrics.ts';
import { describeMitigations } from './mitigations.ts';
import { createAdapterPublisher, createBlockingRedis, createRedis } from './redis.ts';
import { emitMessage, type EmitJob } from './rooms/routes.ts';
import { chatRoomRoutes } from './chat-rooms/routes.ts';
import { voteRoutes } from './votes/routes.ts';
import { streamerRoutes } from './streamers/routes.ts';
import { seed } from './seed.ts';
import { startPublisher } from './live/publisher.ts';
import { replayMissed } from './live/replay.ts';
import { liveRoutes } from './live/routes.ts';
import { renderRoutes } from './render/routes.ts';
import { embedRoutes } from './embed/routes.ts';
import { paymentRoutes } from './payments/routes.ts';
import { giftBatchRoutes } from './gifts/batch.ts';
import { accountRoutes, PUBLIC_ACCOUNT_ROUTES, SESSION_ROUTES } from './account/routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** A running app. `close()` (or `await using`) stops the server, the worker and every connection. */
export interface App extends AsyncDisposable {
  url: string;
  fastify: FastifyInstance;
  ctx: AppContext;
  close(): Promise<void>;
}

// Paths anyone may call; everything else under /api needs a JWT (the session routes check theirs through the session cache).
const PUBLIC = new Set(['/api/health', ...PUBLIC_ACCOUNT_ROUTES, '/metrics', '/api/invariants', '/api/events/live', ...SESSION_ROUTES]);

/**
 * Builds and starts the app: migrations, seed (token deploy, 100 gifts), HTTP server,
 * Socket.IO with the Redis adapter, the BullMQ emit worker.
 * @example await using app = await startApp(readConfig()); fetch(`${app.url}/api/health`)
 */
export async function startApp(config: AppConfig): Promise<App> {
  const metrics = createMetrics();
  // Every answer carries its request id (the caller's x-request-id, or a fresh one) and a failed one is logged with it,
  // so a failure sample in a Faultline report can be found in the app's log.
  const fastify = Fastify({
    logger: { level: config.logLevel },
    forceCloseConnections: true,
    requestIdHeader: 'x-request-id',
    genReqId: () => `req-${randomUUID()}`,
    // The route schemas are checked against JSON Schema's meta-schema in development and tests; in production
    // (as the environment starts it) not again at every start: compiling the meta-schema cost ≈ 80 ms of CPU.
    ajv: { customOptions: { validateSchema: process.env.NODE_ENV !== 'production' } },
  });
  const pool = createPool(config.databaseUrl);
  const redis = createRedis(config.redisUrl, config.mitigations['cache-fallback']);
  // The Socket.IO adapter's pub/sub may go through a proxy of its own (REDIS_ADAPTER_URL), so its path can be cut alone.
  const adapterUrl = config.realtime.adapterRedisUrl;
  const blocking = [createBlockingRedis(config.redisUrl), createBlockingRedis(config.redisUrl), createAdapterPublisher(adapterUrl, config.mitigations['socket-recovery']), createBlockingRedis(adapterUrl)];
  const [queueConnection, workerConnection, pub, sub] = blocking as [typeof blocking[0], typeof blocking[0], typeof blocking[0], typeof blocking[0]];
  let worker: Worker | undefined;
  let reconciler: NodeJS.Timeout | undefined;
  let stopPublisher: (() => void) | undefined;
  const cleanup = async () => {
    stopPublisher?.();
    clearInterval(reconciler);
    await worker?.close().catch(() => {});
    await fastify.close().catch(() => {});
    redis.disconnect();
    blocking.forEach((c) => c.disconnect());
    await pool.end().catch(() => {});
  };

  try {
    const transport = rpcTransport({
      primary: config.rpcUrl,
      secondary: config.rpcFallbackUrl,
      fallback: config.mitigations['rpc-fallback'],
      observe: (provider, outcome) => metrics.rpcCalls.inc({ provider, outcome }),
    });
    // Redis first and alone: the treasury key's derivation blocks the event loop for a moment, and a
    // connect in flight meanwhile could miss its 1 s connectTimeout on a loaded machine.
    await redis.connect();
    // Independent of each other, so together: the chain's id and the treasury key (CPU) while Postgres migrates.
    const [treasury] = await Promise.all([Treasury.connect(transport, config.mnemonic, config.treasuryAccountIndex), migrate(pool)]);
    const seeded = await seed(pool, treasury, config.seedGifts);

    const io = new SocketServer(fastify.server, {
      adapter: createAdapter(pub, sub),
      cors: { origin: false },
      pingInterval: config.realtime.pingIntervalMs,
      pingTimeout: config.realtime.pingTimeoutMs,
    });
    const emitQueue = new Queue<EmitJob>('emit', { connection: queueConnection });
    const ctx: AppContext = {
      config,
      pool,
      redis,
      treasury,
      token: seeded.token,
      metrics,
      io,
      emitQueue,
      // Opens after 5 failures in a row; a trial call goes through 3 s later, so users wait at most that long once the LLM is back.
      llmBreaker: new CircuitBreaker(5, 3_000),
      log: fastify.log,
    };
    worker = new Worker<EmitJob>('emit', (job) => emitMessage(ctx, job.data), { connection: workerConnection, concurrency: 8 });
    worker.on('error', (error) => fastify.log.warn({ err: error.message }, 'emit worker error'));
    socketHandlers(ctx);

    fastify.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/api') || PUBLIC.has(request.url.split('?')[0]!) || request.url.startsWith('/api/frames/')) return;
      request.caller = await authenticate(request.headers.authorization, config.jwtSecret);
    });
    fastify.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
    fastify.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode >= 500) request.log.warn({ statusCode: reply.statusCode, method: request.method, url: request.url }, 'request failed');
      metrics.httpDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
    fastify.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown; headers?: Record<string, string> }, request, reply) => {
      if (error instanceof HttpError) {
        reply.headers(error.headers);
        return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
      }
      if (error.validation) return reply.code(400).send({ error: { code: 'bad_request', message: error.message } });
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: { code: status === 401 ? 'unauthorized' : status >= 500 ? 'internal' : 'bad_request', message: error.message } });
    });

    fastify.get('/api/health', async (_request, reply) => {
      const check = async (name: string, fn: () => Promise<unknown>) => {
        try {
          await withTimeout(fn(), 1_000, () => new Error('no answer within 1 s'));
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, (error as Error).message.split('\n')[0]!] as const;
        }
      };
      const checks = Object.fromEntries(
        await Promise.all([
          check('postgres', () => pool.query('SELECT 1')),
          check('redis', () => redis.ping()),
          check('chain', () => treasury.client.getBlockNumber({ cacheTime: 0 })),
        ]),
      );
      const ok = Object.values(checks).every((v) => v === 'ok');
      reply.code(ok ? 200 : 503);
      return { ok, checks };
    });
    fastify.get('/metrics', async (_request, reply) => {
      const counts = await withTimeout(emitQueue.getJobCounts('waiting', 'active', 'delayed'), 500, () => new Error('queue unreachable')).catch(() => undefined);
      if (counts) metrics.queueDepth.set({ queue: 'emit' }, (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0));
      metrics.sockets.set(io.engine.clientsCount);
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
    giftRoutes(fastify, ctx);
    chatRoomRoutes(fastify, ctx);
    chatRoutes(fastify, ctx);
    frameRoutes(fastify, ctx);
    invariantRoutes(fastify, ctx);
    liveRoutes(fastify, ctx);
    renderRoutes(fastify, ctx);
    embedRoutes(fastify, ctx);
    paymentRoutes(fastify, ctx);
    giftBatchRoutes(fastify, ctx);
    voteRoutes(fastify, ctx);
    streamerRoutes(fastify, ctx);
    accountRoutes(fastify, ctx);

    reconciler = setInterval(() => {
      reconcilePending(ctx).catch((error: Error) => fastify.log.warn({ err: error.message }, 'reconciler failed'));
    }, 2_000);
    reconciler.unref();

    if (config.realtime.publisher) stopPublisher = await startPublisher(ctx);
    const address = await fastify.listen({ host: config.host, port: config.port });
    fastify.log.info({ mitigations: describeMitigations(config.mitigations), token: seeded.token }, 'reference app listening');
    const close = () => cleanup();
    return { url: address.replace('[::1]', '127.0.0.1'), fastify, ctx, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Clients authenticate with `auth: { token }` and join `gift:<id>`, `chat:<roomId>` (scoped to
 * their tenant) or `streamer:<id>`. A client rejoining after a reconnect sends `{ after: <last
 * seq it saw> }`; with socket-recovery it gets every event of the room it missed, from the
 * room's Redis stream (the Redis adapter keeps no sessions, so Socket.IO's own recovery does
 * not apply across nodes); without, what was sent while it was away is lost to it.
 */
function socketHandlers(ctx: AppContext): void {
  ctx.io.use(async (socket, next) => {
    try {
      socket.data.caller = await authenticate(`Bearer ${socket.handshake.auth?.token ?? ''}`, ctx.config.jwtSecret);
      next();
    } catch (error) {
      next(error as Error);
    }
  });
  ctx.io.on('connection', (socket) => {
    const caller = socket.data.caller as Caller;
    socket.on('join', async (room: unknown, ...rest: unknown[]) => {
      const ack = typeof rest.at(-1) === 'function' ? (rest.pop() as (answer: object) => void) : undefined;
      const options = (rest[0] ?? {}) as { after?: unknown; seqs?: unknown };
      const match = typeof room === 'string' ? /^(gift|chat|streamer):([\w-]{1,64})$/.exec(room) : null;
      if (!match) return ack?.({ ok: false, error: 'rooms are gift:<id>, chat:<roomId> or streamer:<id>' });
      const serverRoom = match[1] === 'chat' ? `chat:${caller.tenant}:${match[2]}` : (room as string);
      await socket.join(serverRoom);
      let replayed = 0;
      if (ctx.config.mitigations['socket-recovery'] && typeof options.after === 'number') {
        const only = Array.isArray(options.seqs) ? options.seqs.filter((s): s is number => typeof s === 'number').slice(0, 500) : undefined;
        replayed = await replayMissed(socket, ctx.redis, serverRoom, options.after, only).catch(() => 0);
      }
      ack?.({ ok: true, replayed });
    });
  });
}
