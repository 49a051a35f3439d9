import { join } from 'node:path';
import { REPO_ROOT } from './environment.ts';

/** The shop fixture's folder (test/fixtures/shop: server.mjs and its k6 load). */
export const SHOP_DIR = join(REPO_ROOT, 'test/fixtures/shop');

/** The shop fixture as a team declares its app: their command, their variable names, their health path. */
export const shopService = (extra: Record<string, unknown> = {}) => ({
  command: 'node server.mjs',
  cwd: SHOP_DIR,
  port: { env: 'HTTP_PORT' },
  health: '/health',
  dependsOn: ['postgres', 'redis'],
  env: ({ postgres, redis }: Record<string, { url: string; host: string; port: number }>) => ({ PG_CONNECTION: postgres!.url, CACHE_HOST: redis!.host, CACHE_PORT: String(redis!.port) }),
  ...extra,
});
