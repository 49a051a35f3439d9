import type { ServerResponse } from 'node:http';
import { type DirectRoute, writeResponse } from '../http/serve.ts';
import { BAD_JSON, type ChatRoute } from './handlers.ts';
import { type StreamPlan, streamChunks } from './stream.ts';

/**
 * The chat completions route of the LLM mock process straight on node:http (ServeOptions.direct):
 * the same answers as its msw handler (`chat` is the handler's own route, faults and all),
 * without a fetch Request, a Response or a web stream per completion. With a thousand
 * streams open the msw path spends most of the mock's time on those (bench:mocks llm);
 * here a token is one string written to the socket. Requests on other paths, and any
 * path the msw route would match that this one does not spell out, go to msw.
 */
export function directChatRoute(chat: ChatRoute): DirectRoute {
  return (req, res) => {
    if (req.method !== 'POST' || !isChatPath(req.url)) return false;
    const startedAt = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = BAD_JSON;
      }
      // The client hangs up: a non-streaming answer stops waiting (as request.signal does under msw).
      const hangUp = new AbortController();
      res.once('close', () => hangUp.abort());
      chat(body, hangUp.signal, startedAt).then(
        (answer) => (answer instanceof Response ? writeResponse(answer, res) : stream(res, answer.headers, answer.plan, startedAt)),
        (error: Error) => failed(res, error),
      );
    });
    return true;
  };
}

/** `/v1/chat/completions` after any prefix, query ignored: what msw's `*\/v1/chat/completions` matches on this server. */
function isChatPath(url: string | undefined): boolean {
  if (!url) return false;
  const query = url.indexOf('?');
  return (query === -1 ? url : url.slice(0, query)).endsWith('/v1/chat/completions');
}

function stream(res: ServerResponse, headers: Record<string, string>, plan: StreamPlan, startedAt: number): void {
  res.writeHead(200, headers);
  res.flushHeaders();
  const stop = streamChunks(
    plan,
    {
      write: (text) => void res.write(text),
      close: () => void res.end(),
      cut: () => void res.destroy(), // the stream-cut fault: the connection drops mid-response
    },
    startedAt,
  );
  res.once('close', stop); // the client went away: stop generating
}

function failed(res: ServerResponse, error: Error): void {
  if (res.headersSent) return void res.destroy(error);
  res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: `mock handler failed: ${error.message}` } }));
}
