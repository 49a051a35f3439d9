import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Environment } from '../../env/environment.ts';
import { freePort } from '../../env/ports.ts';
import { fetchJson } from '../../lib/http.ts';
import { pollUntil, PollTimeoutError } from '../../lib/poll.ts';
import { REPO_ROOT } from './environment.ts';

import { REFERENCE_APP_JWT_SECRET as APP_JWT_SECRET } from '../../examples/reference-app/service.ts';

/** The JWT secret the app verifies and k6 signs with (scenarios/support/app.js's default). */
export { APP_JWT_SECRET };

/**
 * The reference app as its own process (as the `app` service runs it) against a test
 * environment, with a given FAULTLINE_MITIGATIONS: two of them side by side let one
 * environment serve the "with" and the "without" run of a scenario.
 */
export async function startAppProcess(env: Environment, mitigations: string, extraEnv: Record<string, string> = {}): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'examples/reference-app/scripts/start.mjs')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env.env, HOST: '127.0.0.1', PORT: String(port), AUTH_JWT_SECRET: APP_JWT_SECRET, FAULTLINE_MITIGATIONS: mitigations, APP_DOTENV: 'off', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  const exited = () => {
    if (child.exitCode !== null) throw new Error(`the reference app exited during start-up (code ${child.exitCode}):\n${stderr}`);
  };
  try {
    await pollUntil(() => fetchJson(`${url}/api/health`, { timeoutMs: 1000 }), { timeoutMs: 90_000, intervalMs: 100, check: exited });
  } catch (error) {
    await close();
    throw error instanceof PollTimeoutError ? new Error(`the reference app did not become healthy within 90 s:\n${stderr}`) : error;
  }
  return { url, pid: child.pid!, close };
}
