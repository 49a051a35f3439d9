import { http, type RequestHandler } from 'msw';
import { FaultController } from '../control/faults.ts';
import { controlHandlers } from '../control/handlers.ts';
import { type Random, sample } from '../control/random.ts';
import { sleep } from '../http/sleep.ts';
import { type ChatRequest, parseChatRequest } from './chat-request.ts';
import { completionTokens, contentRandom, drawLength, promptTokens, textOf } from './content.ts';
import { BAD_JSON_MESSAGE, invalidRequest, openAIError } from './errors.ts';
import type { Generation, LlmFault, StreamBreak } from './faults/_fault.ts';
import llmFaults from './faults/index.ts';
import { type LlmOptions, type LlmOptionsInput, parseLlmOptions } from './options.ts';
import { completionStream, type StreamPlan, type Usage } from './stream.ts';

export interface LlmMockInit extends LlmOptionsInput {
  /** Every random choice (content, latencies, fault sampling, ids) derives from it. Default 1. */
  seed?: number;
}

/** The LLM mock in-process: its msw handlers and the fault controller behind its control API. */
export interface LlmMock {
  handlers: RequestHandler[];
  controller: FaultController<LlmFault>;
  options: LlmOptions;
  /** The chat completions route itself, for the direct node:http path (direct.ts): the same answers as the msw handler. */
  chat: ChatRoute;
}

/** The route the chat handler matches (any origin, as msw matches it). */
export const CHAT_ROUTE = '*/v1/chat/completions';

/** What the body of a request that is not JSON parses to. */
export const BAD_JSON: unique symbol = Symbol('bad json');

/** A chat completion's answer: a response to send as it is, or an SSE stream's plan and headers. */
export type ChatAnswer = Response | { plan: StreamPlan; headers: Record<string, string> };

/** `body` parsed (or BAD_JSON), the client's hang-up signal, and when the request arrived (performance.now()). */
export type ChatRoute = (body: unknown, signal: AbortSignal | undefined, startedAt: number) => Promise<ChatAnswer>;

/**
 * An OpenAI-compatible chat completions API as msw handlers, with the control API.
 * Routes match any origin, so the same handlers serve over HTTP (mocks/http/serve.ts)
 * and intercept `https://api.openai.com/v1/...` under msw's `setupServer`.
 * @example const server = setupServer(...llmHandlers({ seed: 7, ttft: { kind: 'fixed', ms: 100 } }));
 */
export function llmHandlers(init: LlmMockInit = {}): RequestHandler[] {
  return createLlmMock(init).handlers;
}

export function createLlmMock(init: LlmMockInit = {}): LlmMock {
  const { seed = 1, ...rest } = init;
  const options = parseLlmOptions(rest);
  const controller = new FaultController('llm', llmFaults, seed);
  // Separate streams, so that e.g. a new latency draw never shifts which requests a fault hits
  // (each fault draws from its own, see FaultController.sample).
  const latencyRandom = controller.stream('latency');
  const idRandom = controller.stream('ids');
  const limits = rateLimitWindow(options);
  const fingerprints = new Map<string, string>();
  const fingerprint = (model: string) => {
    let fp = fingerprints.get(model);
    if (!fp) fingerprints.set(model, (fp = `fp_${hex(contentRandom(seed, `fingerprint:${model}`), 10)}`));
    return fp;
  };

  /**
   * One chat completion request, whichever way it came (msw or the direct node:http path):
   * an answer to send as it is, or a stream to write on schedule. `body` is the parsed JSON,
   * or BAD_JSON when it did not parse; `signal` aborts when the client hangs up.
   */
  const answerChat: ChatRoute = async (body, signal, startedAt) => {
    controller.countRequest('POST /v1/chat/completions');
    if (body === BAD_JSON) return invalidRequest(BAD_JSON_MESSAGE, null, null);
    const parsed = parseChatRequest(body);
    if (parsed instanceof Response) return parsed;
    const chat: ChatRequest = parsed;
    if (options.strictModels && !options.models.includes(chat.model)) {
      return openAIError(404, { message: `The model \`${chat.model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' });
    }

    const requestId = `req_${hex(idRandom, 32)}`;
    const prompt = promptTokens(chat.messages);
    // The faults of this request (a fault's `target` is a model), in the order of faults/_fault.ts.
    const faults = controller.sample(chat.model);
    const faultRequest = faults.length > 0 ? { chat, requestId, options } : undefined;
    if (faultRequest) {
      const refused = controller.consult(faults, 'refuse', faultRequest);
      if (refused) {
        controller.countRefusal({ model: chat.model, status: String(refused.status) });
        return refused;
      }
    }

    const override: Partial<Generation> = faultRequest ? controller.merge(faults, 'generation', faultRequest, {}) : NO_OVERRIDE;
    const ttftMs = sample(override.ttft ?? options.ttft, latencyRandom);
    const tokensPerSecond = override.tokensPerSecond ?? options.tokensPerSecond;
    const content = contentRandom(seed, `${chat.model}\u0000${chat.seed ?? ''}\u0000${JSON.stringify(chat.messages.map((m) => [m.role, textOf(m.content)]))}`);
    const wanted = drawLength(override.responseTokens ?? options.responseTokens, content);
    const length = Math.min(wanted, chat.maxTokens ?? Infinity);
    const tokens = completionTokens(content, length);
    const finishReason = length < wanted ? 'length' : 'stop';
    const usage = usageOf(prompt, length);
    const id = `chatcmpl-${base62(idRandom, 29)}`;
    const created = Math.floor(Date.now() / 1000);
    const headers = {
      ...limits.headers(prompt + length),
      'x-request-id': requestId,
      'openai-organization': 'faultline-mock',
      'openai-version': '2020-10-01',
    };

    if (!chat.stream) {
      // A non-streaming answer arrives when the whole completion would have been generated.
      await sleep(ttftMs + ((tokens.length - 1) * 1000) / tokensPerSecond, signal);
      const completion = {
        id,
        object: 'chat.completion',
        created,
        model: chat.model,
        choices: [{ index: 0, message: { role: 'assistant', content: tokens.join(''), refusal: null, annotations: [] }, logprobs: null, finish_reason: finishReason }],
        usage,
        service_tier: 'default',
        system_fingerprint: fingerprint(chat.model),
      };
      return new Response(JSON.stringify(completion), {
        headers: { 'content-type': 'application/json', 'openai-processing-ms': String(Math.round(performance.now() - startedAt)), ...headers },
      });
    }

    const broken: StreamBreak = faultRequest ? controller.merge(faults, 'stream', faultRequest, {}) : NO_BREAK;
    return {
      plan: {
        id,
        created,
        model: chat.model,
        systemFingerprint: fingerprint(chat.model),
        tokens,
        finishReason,
        ttftMs,
        tokensPerSecond,
        usage: chat.includeUsage ? usage : undefined,
        cutAfterChunks: broken.cutAfterChunks,
        stallAfterFirstToken: broken.stallAfterFirstToken === true,
        malformedAtChunk: broken.malformedAtChunk,
      },
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'openai-processing-ms': String(Math.round(performance.now() - startedAt)),
        ...headers,
      },
    };
  };

  const chatCompletions = http.post(CHAT_ROUTE, async ({ request }) => {
    const startedAt = performance.now();
    const body = await request.json().catch(() => BAD_JSON);
    const answer = await answerChat(body, request.signal, startedAt);
    if (answer instanceof Response) return answer;
    return new Response(completionStream(answer.plan, startedAt), { headers: answer.headers });
  });

  const models = http.get('*/v1/models', () => {
    controller.countRequest('GET /v1/models');
    return Response.json({ object: 'list', data: options.models.map(modelObject) });
  });
  const model = http.get('*/v1/models/:model', ({ params }) => {
    controller.countRequest('GET /v1/models/:model');
    const name = String(params.model);
    if (!options.models.includes(name)) {
      return openAIError(404, { message: `The model '${name}' does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' });
    }
    return Response.json(modelObject(name));
  });

  // The chat route first, then the control API: msw runs every handler in order until one
  // matches, and a chat request is the hot path (the routes cannot shadow one another).
  return { handlers: [chatCompletions, models, model, ...controlHandlers(controller)], controller, options, chat: answerChat };
}

// What a request without faults gets: shared, so it allocates nothing.
const NO_OVERRIDE: Partial<Generation> = Object.freeze({});
const NO_BREAK: StreamBreak = Object.freeze({});

/** The x-ratelimit-* headers of a successful answer, counted over a one-minute window like the real RPM/TPM limits. */
function rateLimitWindow(options: LlmOptions) {
  let windowStart = Date.now();
  let requests = 0;
  let tokens = 0;
  return {
    headers(cost: number): Record<string, string> {
      const now = Date.now();
      if (now - windowStart >= 60_000) [windowStart, requests, tokens] = [now, 0, 0];
      requests++;
      tokens += cost;
      const resetMs = Math.max(0, windowStart + 60_000 - now);
      return {
        'x-ratelimit-limit-requests': String(options.rateLimits.requests),
        'x-ratelimit-limit-tokens': String(options.rateLimits.tokens),
        'x-ratelimit-remaining-requests': String(Math.max(0, options.rateLimits.requests - requests)),
        'x-ratelimit-remaining-tokens': String(Math.max(0, options.rateLimits.tokens - tokens)),
        'x-ratelimit-reset-requests': `${Math.ceil((resetMs * requests) / options.rateLimits.requests)}ms`,
        'x-ratelimit-reset-tokens': `${Math.ceil((resetMs * tokens) / options.rateLimits.tokens)}ms`,
      };
    },
  };
}

function usageOf(prompt: number, completion: number): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function modelObject(id: string) {
  return { id, object: 'model', created: 1_715_367_049, owned_by: 'system' };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[random.int(62)];
  return out;
}
function hex(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[random.int(16)]!.toLowerCase();
  return out;
}
