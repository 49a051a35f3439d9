import { FaultlineError } from '../../lib/errors.ts';
import type { ActiveFault } from './faults.ts';

/** What to apply: `type` names the fault, `target` narrows it (e.g. an RPC provider), `ttlMs` makes it revert itself. */
export interface FaultSpec {
  type: string;
  target?: string;
  ttlMs?: number;
  [param: string]: unknown;
}

/** A 400 from a mock's control API: which field, what was expected. */
export class MockControlError extends FaultlineError {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly expected?: string,
  ) {
    super(message);
    this.name = 'MockControlError';
  }
}

/**
 * Typed client for a mock's fault-control API. Point it at the mock's *direct* root URL
 * (`LLM_DIRECT_URL` without /v1, `RPC_GATEWAY_DIRECT_URL`, ...): the proxy may be down.
 * @example const llm = new MockControl(env.services.llm.directUrl); const f = await llm.apply({ type: 'overloaded', rate: 1 }); await llm.clear(f.id);
 */
export class MockControl {
  private readonly base: string;

  constructor(rootUrl: string) {
    const url = new URL(rootUrl);
    this.base = `${url.origin}/__faultline`;
  }

  apply(spec: FaultSpec): Promise<ActiveFault> {
    return this.call('POST', '/faults', spec);
  }

  /** Clears one fault, or every fault when `id` is omitted. */
  async clear(id?: string): Promise<void> {
    await this.call('DELETE', id ? `/faults/${encodeURIComponent(id)}` : '/faults');
  }

  async list(): Promise<ActiveFault[]> {
    return (await this.call<{ faults: ActiveFault[] }>('GET', '/faults')).faults;
  }

  stats(): Promise<{ requests: Record<string, number>; faults: Record<string, { type: string; hits: number }> }> {
    return this.call('GET', '/stats');
  }

  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  health(): Promise<{ ok: boolean; service: string; seed: number }> {
    return this.call('GET', '/health');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.base + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (response.status === 204) return undefined as T;
    const payload = (await response.json().catch(() => ({}))) as { error?: { message: string; field?: string; expected?: string } };
    if (!response.ok) {
      const error = payload.error;
      throw new MockControlError(`${method} ${this.base}${path}: ${error?.message ?? `HTTP ${response.status}`}`, response.status, error?.field, error?.expected);
    }
    return payload as T;
  }
}
