import { TargetUnreachableError } from './target.ts';

/** What a deployed target must answer before any load: `GET <path>` with this status. */
export interface HealthCheck {
  path: string;
  status: number;
}

export const DEFAULT_HEALTH: HealthCheck = { path: '/api/health', status: 200 };

/**
 * The preflight for a target Faultline does not run: `GET <target><path>` must answer
 * `status` within the timeout, before any load or fault. Anything else stops the run with
 * TargetUnreachableError (exit 2): a deployment that is down is no verdict on it.
 */
export async function checkHealth(target: string, health: HealthCheck, timeoutMs = 10_000): Promise<void> {
  const base = target.replace(/^ws(s?):/, 'http$1:');
  // The path is taken from the target's origin, as the app's routes are.
  const url = new URL(health.path, base);
  let status: number;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.arrayBuffer().catch(() => {});
    status = response.status;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new TargetUnreachableError(target, `GET ${health.path} got no answer: ${cause}`);
  }
  if (status !== health.status) throw new TargetUnreachableError(target, `GET ${health.path} answered ${status}, expected ${health.status}`);
}
