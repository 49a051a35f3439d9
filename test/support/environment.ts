import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../lib/files.ts';
import type { FaultlineConfig } from '../../env/config.ts';
import { type Environment, startEnvironment } from '../../env/environment.ts';

/** The repository's root. */
export const REPO_ROOT = PACKAGE_ROOT;

/**
 * A config for a test: its own state dir and dotenv file in a temp folder (so it never
 * touches a developer's running environment), the repo's shared tool and cache folder.
 */
export function testConfig(config: FaultlineConfig = {}): FaultlineConfig {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-test-'));
  // mkdtemp makes it 0700; as root, Postgres runs as the `postgres` user and must reach its data dir inside.
  chmodSync(dir, 0o755);
  return { home: join(REPO_ROOT, '.faultline'), stateDir: join(dir, 'state'), dotenvFile: join(dir, '.env.faultline'), ...config };
}

/** Starts an environment for a test; dispose it with `await env.stop()` in afterAll. */
export function testEnvironment(config: FaultlineConfig = {}): Promise<Environment> {
  return startEnvironment(testConfig(config));
}
