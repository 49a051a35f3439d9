import { withTimeout } from './http-error.ts';

/**
 * A Redis command given `ms` when `fallback` (cache-fallback) is on: its answer, or undefined
 * when Redis is too slow or away (the command still completes in the background). Without
 * fallback, the command as it is: however slow, and its error thrown.
 * @example const cached = await withinBudget(redis.get(key), fallback, 50) // undefined: go to Postgres
 */
export async function withinBudget<T>(command: Promise<T>, fallback: boolean, ms: number): Promise<T | undefined> {
  if (!fallback) return command;
  command.catch(() => {});
  return withTimeout(command, ms, () => new Error(`redis gave no answer within ${ms} ms`)).catch(() => undefined);
}
