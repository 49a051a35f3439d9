import { Agent, request } from 'node:http';
import { FaultlineError } from '../../lib/errors.ts';

/** Anvil could not be reached or answered garbage; the gateway answers 502 like a provider whose node is down. */
export class UpstreamUnavailableError extends FaultlineError {
  constructor(url: string, cause: unknown) {
    super(`anvil at ${url} did not answer (${(cause as Error).message ?? String(cause)}); is the anvil service up?`, { cause });
    this.name = 'UpstreamUnavailableError';
  }
}

/**
 * JSON-RPC over HTTP to Anvil on keep-alive sockets, with node:http rather than fetch:
 * this is the gateway's hot path and it has an overhead budget of ~0.5 ms.
 */
export class Upstream {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 });
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;

  constructor(readonly url: string) {
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port || 80);
    this.path = parsed.pathname + parsed.search;
  }

  /** Posts a raw JSON-RPC body; resolves to anvil's raw answer. */
  post(body: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path: this.path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, body: chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString() }));
          res.on('error', (error) => reject(new UpstreamUnavailableError(this.url, error)));
        },
      );
      req.on('error', (error) => reject(new UpstreamUnavailableError(this.url, error)));
      req.end(body);
    });
  }

  /** One call; throws on an RPC error. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const { body } = await this.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    const parsed = JSON.parse(body) as { result?: T; error?: { message: string } };
    if (parsed.error) throw new Error(`anvil ${method}: ${parsed.error.message}`);
    return parsed.result as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
