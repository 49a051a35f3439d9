import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../env/config.ts';
import { generateFrameActionPool } from '../mocks/farcaster/actions.ts';
import type { FarcasterOptionsInput } from '../mocks/farcaster/options.ts';

/**
 * npm run farcaster:actions -- --count 1000 --out actions.json [--seed N] [--users N] [--url U]
 * Pre-generates signed frame actions for the Farcaster hub mock, as JSON a k6 script can open().
 * The seed defaults to the running environment's (FAULTLINE_SEED in the dotenv file), the
 * registry options to faultline.config.ts's services.farcaster: the pool then validates against it.
 */
class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\nusage: npm run farcaster:actions -- --count N --out file.json [--seed N] [--users N] [--first-fid N] [--url URL] [--timestamp ISO]`);
    this.name = 'UsageError';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      users: { type: 'string' },
      'first-fid': { type: 'string' },
      url: { type: 'string' },
      timestamp: { type: 'string' },
      config: { type: 'string' },
    },
  });
  const count = integer('count', values.count);
  if (count === undefined || count < 1) throw new UsageError('--count: expected a positive integer');
  if (!values.out) throw new UsageError('--out: expected a file path');
  const config = await loadConfig(values.config);
  const configured = (config.services.farcaster ?? {}) as FarcasterOptionsInput;
  const seed = integer('seed', values.seed) ?? config.seed ?? seedFromDotenv(config.dotenvFile);
  if (seed === undefined) throw new UsageError(`--seed: no seed given, none in faultline.config.ts and no FAULTLINE_SEED in ${config.dotenvFile} (run npm run env:up first, or pass --seed)`);
  const options: FarcasterOptionsInput = { ...configured, port: undefined };
  const users = integer('users', values.users);
  if (users !== undefined) options.users = users;
  const firstFid = integer('first-fid', values['first-fid']);
  if (firstFid !== undefined) options.firstFid = firstFid;
  const timestamp = values.timestamp === undefined ? undefined : Date.parse(values.timestamp);
  if (timestamp !== undefined && Number.isNaN(timestamp)) throw new UsageError('--timestamp: expected an ISO date, e.g. 2025-01-01T00:00:00Z');

  const started = performance.now();
  const pool = await generateFrameActionPool({ seed, options, count, url: values.url, timestamp });
  const out = resolve(values.out);
  writeFileSync(out, `${JSON.stringify(pool)}\n`);
  console.log(`wrote ${pool.actions.length} signed frame actions (seed ${seed}, ${pool.users} users from fid ${pool.firstFid}) to ${out} in ${Math.round(performance.now() - started)} ms`);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name}: expected a non-negative integer, got "${value}"`);
  return Number(value);
}

function seedFromDotenv(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const match = /^FAULTLINE_SEED=(\d+)$/m.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

main().catch((error: Error) => {
  console.error(error.name === 'UsageError' ? error.message : `farcaster:actions failed: ${error.message}`);
  process.exit(error.name === 'UsageError' ? 2 : 1);
});
