import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http-error.ts';

interface ChatBody {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
}

export class LlmUnavailableError extends HttpError {
  constructor(why: string, retryAfterMs?: number) {
    super(503, 'llm_unavailable', `The assistant is unavailable right now (${why}); try again shortly.`, retryAfterMs ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {});
  }
}

/**
 * POST /api/chat: streams the LLM's completion to the caller as SSE (`data: {"delta": "..."}`,
 * then `data: [DONE]`). The 200 is only sent with the first token, so a failure before it
 * is a plain HTTP error. With llm-breaker: a deadline for the first token and for every
 * chunk after it, and a circuit breaker, so callers get a quick 503 (or an `error` event
 * mid-stream) instead of a hung stream. Without it: a plain fetch piped through.
 */
export function chatRoutes(app: FastifyInstance, ctx: AppContext): void {
  const guarded = ctx.config.mitigations['llm-breaker'];
  const { firstTokenMs, idleMs } = ctx.config.llmTimeouts;
  app.post<{ Body: ChatBody }>(
    '/api/chat',
    {
      schema: {
        body: {
          type: 'object',
          required: ['messages'],
          properties: {
            messages: {
              type: 'array',
              minItems: 1,
              maxItems: 50,
              items: { type: 'object', required: ['role', 'content'], properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string', maxLength: 8000 } } },
            },
          },
        },
      },
    },
    async (request, reply) => {
      if (!ctx.config.llmUrl) throw new HttpError(503, 'llm_not_configured', 'LLM_URL is not set: start the environment with the llm service.');
      const breaker = ctx.llmBreaker;
      if (guarded && !breaker.tryAcquire()) {
        ctx.metrics.llm.inc({ outcome: 'breaker_open' });
        throw new LlmUnavailableError('circuit open after repeated failures', breaker.retryAfterMs());
      }
      const abort = new AbortController();
      let clientGone = false;
      // The response's close (not the request's, which fires once the body is read): the caller hung up.
      reply.raw.on('close', () => {
        if (reply.raw.writableFinished) return;
        clientGone = true;
        abort.abort(new Error('the caller hung up'));
      });
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number) => {
        clearTimeout(timer);
        if (guarded) timer = setTimeout(() => abort.abort(new Error(`no data from the LLM within ${ms} ms`)), ms);
      };
      arm(firstTokenMs);
      let started = false;
      let hijacked = false;
      try {
        const response = await fetch(`${ctx.config.llmUrl.replace(/\/$/, '')}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.LLM_API_KEY ?? 'sk-faultline'}` },
          body: JSON.stringify({ model: ctx.config.llmModel, messages: request.body.messages, stream: true }),
          signal: abort.signal,
        });
        if (!response.ok || !response.body) {
          const text = await response.text().catch(() => '');
          const why = `LLM answered HTTP ${response.status}`;
          if (guarded) throw new LlmUnavailableError(why, Number(response.headers.get('retry-after') ?? 0) * 1000 || undefined);
          throw new HttpError(502, 'llm_error', `${why}: ${text.slice(0, 200)}`);
        }
        reply.hijack();
        hijacked = true;
        const write = (data: string) => {
          if (!started) {
            reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
            started = true;
          }
          reply.raw.write(data);
        };
        let firstChunk = true;
        await pipeCompletion(response.body, write, (hasContent) => {
          // The first-token deadline runs until content arrives; after that, the idle deadline between chunks.
          if (hasContent || !firstChunk) arm(idleMs);
          if (hasContent) firstChunk = false;
        });
        write('');
        clearTimeout(timer);
        reply.raw.end('data: [DONE]\n\n');
        if (guarded) breaker.success();
        ctx.metrics.llm.inc({ outcome: 'ok' });
      } catch (error) {
        clearTimeout(timer);
        if (guarded) clientGone ? breaker.abandon() : breaker.failure();
        ctx.metrics.llm.inc({ outcome: clientGone ? 'caller_gone' : 'error' });
        const why = (abort.signal.reason as Error | undefined)?.message ?? (error as Error).message;
        if (!started) {
          const failure = error instanceof HttpError ? error : guarded ? new LlmUnavailableError(why) : new HttpError(502, 'llm_error', `LLM request failed: ${why}`);
          if (!hijacked) throw failure;
          // The reply was handed over for streaming before the first token: answer by hand.
          if (!reply.raw.destroyed) {
            reply.raw.writeHead(failure.statusCode, { 'content-type': 'application/json', ...failure.headers });
            reply.raw.end(JSON.stringify({ error: { code: failure.code, message: failure.message } }));
          }
          return;
        }
        // Mid-stream: the status is sent already; say what happened in the stream and end it.
        if (!reply.raw.destroyed) reply.raw.end(`event: error\ndata: ${JSON.stringify({ error: { code: 'llm_interrupted', message: why } })}\n\n`);
      }
    },
  );
}

/** Reads OpenAI chat.completion.chunk SSE lines and forwards each content delta as `data: {"delta": ...}`. */
async function pipeCompletion(body: ReadableStream<Uint8Array>, write: (data: string) => void, onChunk: (hasContent: boolean) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  for (;;) {
    const { done, value: chunk } = await reader.read();
    if (done) break;
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') return;
      let parsed: { choices?: { delta?: { content?: string } }[]; error?: { message?: string } };
      try {
        parsed = JSON.parse(data);
      } catch {
        throw new Error('the LLM sent a malformed chunk');
      }
      if (parsed.error) throw new Error(`the LLM reported: ${parsed.error.message ?? 'an error'}`);
      const delta = parsed.choices?.[0]?.delta?.content;
      onChunk(Boolean(delta));
      if (delta) write(`data: ${JSON.stringify({ delta })}\n\n`);
    }
  }
  throw new Error('the LLM stream ended before [DONE]');
}
