import type { ServiceDefinition } from '../service.ts';
import { anvil } from './anvil.ts';
import { app } from './app.ts';
import { farcaster } from './farcaster.ts';
import { llm } from './llm.ts';
import { postgres } from './postgres.ts';
import { redis } from './redis.ts';
import { rpc } from './rpc.ts';

/** Every service Faultline can start, by the name used in faultline.config.ts. */
export const services: Record<string, ServiceDefinition> = {
  postgres,
  redis,
  anvil,
  farcaster,
  rpc,
  llm,
  // Optional: the reference app, started only when the config names it.
  app,
};
