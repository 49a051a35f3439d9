import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Server as SocketServer } from 'socket.io';
import type { Address } from 'viem';
import type { Treasury } from './chain/chain.ts';
import type { AppConfig } from './config.ts';
import type { Metrics } from './metrics.ts';
import type { CircuitBreaker } from './breaker.ts';

/** What every route needs; built once in app.ts. */
export interface AppContext {
  config: AppConfig;
  pool: pg.Pool;
  redis: Redis;
  treasury: Treasury;
  token: Address;
  metrics: Metrics;
  io: SocketServer;
  emitQueue: Queue;
  llmBreaker: CircuitBreaker;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}
