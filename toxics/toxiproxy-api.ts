import { fetchJson, HttpStatusError } from '../lib/http.ts';
import { FaultError } from './fault.ts';

/**
 * The few Toxiproxy API calls the network presets need, over plain fetch: one round
 * trip each, so apply times stay within a few ms of schedule.
 */
export async function toxiproxyRequest(apiUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  try {
    return await fetchJson(`${apiUrl}${path}`, { method, body });
  } catch (error) {
    if (error instanceof HttpStatusError) throw new FaultError(`Toxiproxy ${method} ${path}: HTTP ${error.status} ${error.body.trim()}`);
    throw error;
  }
}

let counter = 0;

/** Adds a toxic to `proxy` and returns how to remove it (a removed or vanished toxic is fine). */
export async function addToxic(
  apiUrl: string,
  proxy: string,
  type: string,
  attributes: Record<string, number>,
  options: { stream?: 'upstream' | 'downstream'; toxicity?: number } = {},
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `faultline-${type}-${process.pid}-${++counter}`;
  await toxiproxyRequest(apiUrl, 'POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, {
    name,
    type,
    stream: options.stream ?? 'downstream',
    toxicity: options.toxicity ?? 1,
    attributes,
  });
  const remove = async () => {
    try {
      await toxiproxyRequest(apiUrl, 'DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${name}`);
    } catch (error) {
      if (!/HTTP 404/.test((error as Error).message)) throw error;
    }
  };
  return { name, remove };
}
