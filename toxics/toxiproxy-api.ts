import { FaultError } from './fault.ts';

/**
 * The few Toxiproxy API calls the network presets need, over plain fetch: one round
 * trip each, so apply times stay within a few ms of schedule.
 */
export async function toxiproxyRequest(apiUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (!response.ok) throw new FaultError(`Toxiproxy ${method} ${path}: HTTP ${response.status} ${text.trim()}`);
  return text ? JSON.parse(text) : undefined;
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
