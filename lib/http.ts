import { FaultlineError } from './errors.ts';

/** An HTTP answer that was not 2xx: the status and the body, for callers that branch on them. */
export class HttpStatusError extends FaultlineError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url}: HTTP ${status}${body ? ` ${body.trim().slice(0, 500)}` : ''}`);
  }
}

export interface JsonRequest {
  method?: string;
  body?: unknown;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * One JSON request over fetch: the body sent as JSON, the answer parsed (undefined when
 * empty), an HttpStatusError on anything but 2xx. The one client behind the Toxiproxy
 * calls, the mocks' control client and the readiness probes.
 */
export async function fetchJson<T = unknown>(url: string, request: JsonRequest = {}): Promise<T> {
  const method = request.method ?? (request.body === undefined ? 'GET' : 'POST');
  const response = await fetch(url, {
    method,
    headers: { ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: AbortSignal.timeout(request.timeoutMs ?? 5000),
  });
  const text = await response.text();
  if (!response.ok) throw new HttpStatusError(method, url, response.status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}
