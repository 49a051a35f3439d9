import OpenAI, { APIError, BadRequestError, InternalServerError, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockControl, MockControlError } from '../../mocks/control/client.ts';
import { type ServedHandlers, serveHandlers } from '../../mocks/http/serve.ts';
import { directChatRoute } from '../../mocks/llm/direct.ts';
import { createLlmMock, type LlmMockInit, llmHandlers } from '../../mocks/llm/handlers.ts';
import type { Environment } from '../../env/environment.ts';
import { testEnvironment } from '../support/environment.ts';

const TTFT_MS = 200;
const TOKENS_PER_SECOND = 20;
const TOKENS = 5;
const messages = [{ role: 'user' as const, content: 'Say something about gas fees.' }];

// Both ways the chat route is served: the msw handlers a user reuses (serveHandlers, setupServer),
// and the mock process's direct node:http route (mocks/llm/direct.ts), which must answer the same.
const ways = {
  'msw handlers': (init: LlmMockInit) => serveHandlers(llmHandlers(init)),
  'the direct chat route of the mock process': (init: LlmMockInit) => {
    const mock = createLlmMock(init);
    return serveHandlers(mock.handlers, { direct: directChatRoute(mock.chat) });
  },
};

describe.each(Object.entries(ways))('the LLM mock over HTTP (%s), driven by the openai SDK', (_way, serve) => {
  let served: ServedHandlers;
  let control: MockControl;
  const client = (options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
    new OpenAI({ baseURL: `${served.url}/v1`, apiKey: 'sk-faultline-test', maxRetries: 0, ...options });

  beforeAll(async () => {
    served = await serve({ seed: 11, ttft: { kind: 'fixed', ms: TTFT_MS }, tokensPerSecond: TOKENS_PER_SECOND, responseTokens: TOKENS });
    control = new MockControl(served.url);
    // Warm up the connection and both code paths (JIT) so the timings below measure the mock.
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages, max_completion_tokens: 1 });
    for (let i = 0; i < 3; i++) for await (const _ of await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, max_completion_tokens: 2 }));
  });
  afterAll(async () => {
    await served?.close();
  });
  beforeEach(async () => {
    await control.reset();
  });

  /** Streams one completion, noting when each content chunk arrived (ms after the call). */
  async function timedStream(sdk = client()) {
    const started = performance.now();
    const stream = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const answeredAt = performance.now() - started; // create() resolves when the response headers arrive
    const arrivals: { at: number; content: string }[] = [];
    let role: string | undefined;
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
      const choice = chunk.choices[0];
      if (!choice) usage = chunk.usage;
      role ??= choice?.delta.role;
      if (choice?.delta.content) arrivals.push({ at: performance.now() - started, content: choice.delta.content });
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    const firstTokenMs = arrivals[0]?.at ?? Infinity;
    return { arrivals, role, finish, usage, firstTokenMs, afterHeadersMs: firstTokenMs - answeredAt };
  }
  // Timings on a shared two-core machine: judge the median of five runs, so scheduler hiccups are not failures,
  // and count the delay from the moment the mock answered (headers go out at once, the TTFT clock starts then):
  // under load, waiting for a CPU before the request reaches the mock is not the mock's delay.
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  it('streams a completion chunk by chunk, first token after the configured delay, then usage', async () => {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await timedStream());
    expect(Math.abs(median(runs.map((r) => r.afterHeadersMs)) - TTFT_MS)).toBeLessThanOrEqual(20);
    expect(Math.min(...runs.map((r) => r.firstTokenMs))).toBeGreaterThanOrEqual(TTFT_MS);
    for (const { arrivals, role, finish, usage } of runs) {
      expect(role).toBe('assistant');
      expect(finish).toBe('stop');
      expect(arrivals).toHaveLength(TOKENS);
      // Chunks arrive one at a time at the configured rate, not in one burst.
      expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(((TOKENS - 2) * 1000) / TOKENS_PER_SECOND);
      expect(arrivals.at(-1)!.at).toBeGreaterThanOrEqual(TTFT_MS + ((TOKENS - 1) * 1000) / TOKENS_PER_SECOND - 5);
      expect(usage).toMatchObject({ completion_tokens: TOKENS, total_tokens: usage!.prompt_tokens + TOKENS });
    }
    const { arrivals } = runs[0]!;

    // The same prompt and seed give the same text without streaming, in OpenAI's completion shape.
    const { data: completion, response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(completion).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant' } }] });
    expect(completion.choices[0]!.message.content).toBe(arrivals.map((a) => a.content).join(''));
    expect(completion.usage?.completion_tokens).toBe(TOKENS);
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10000');
    expect(Number(response.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(TTFT_MS);
  });

  it('caps the answer at max_tokens with finish_reason "length"', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, max_completion_tokens: 2 });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it('lists its models', async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model.id);
    expect(models).toContain('gpt-4o-mini');
  });

  it('rejects a request without messages or model as invalid_request_error naming the param', async () => {
    const noMessages = await client().chat.completions.create({ model: 'gpt-4o-mini' } as never).catch((e: unknown) => e);
    expect(noMessages).toBeInstanceOf(BadRequestError);
    expect(noMessages).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' });
    const noModel = await client().chat.completions.create({ messages } as never).catch((e: unknown) => e);
    expect(noModel).toMatchObject({ status: 400, param: 'model' });
  });

  it('surfaces a 429 fault as RateLimitError with retry-after and x-ratelimit headers', async () => {
    await control.apply({ type: 'rate-limit', retryAfterSeconds: 7 });
    const error = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests', param: null });
    expect(rateLimit.headers.get('retry-after')).toBe('7');
    expect(rateLimit.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(rateLimit.headers.get('x-ratelimit-reset-requests')).toBe('7s');
  });

  it('lets the SDK retry after retry-after and succeed once a ttl-limited 429 fault has expired', async () => {
    const fault = await control.apply({ type: 'rate-limit', retryAfterSeconds: 1, ttlMs: 600 });
    const started = performance.now();
    const completion = await client({ maxRetries: 2 }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    const elapsed = performance.now() - started;
    expect(completion.choices[0]!.message.content).toBeTruthy();
    // The SDK's own first backoff is ≤ 0.5 s: waiting a full second shows it read retry-after,
    // and a single hit shows the retry came after the fault expired.
    expect(elapsed).toBeGreaterThanOrEqual(990);
    const stats = await control.stats();
    expect(stats.faults[fault.id]).toEqual({ type: 'rate-limit', hits: 1 });
    expect(stats.requests['POST /v1/chat/completions']).toBe(2);
  });

  it('surfaces a 503 overloaded fault as InternalServerError with status 503', async () => {
    await control.apply({ type: 'overloaded' });
    const error = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 503, code: 'server_is_overloaded', type: 'server_error' });
  });

  it('surfaces a stream cut as an error after the chunks that made it, not as a short answer', async () => {
    await control.apply({ type: 'stream-cut', afterChunks: 3 });
    const contents: string[] = [];
    const consume = async () => {
      const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) contents.push(chunk.choices[0].delta.content);
    };
    // undici reports the closed socket mid-body: TypeError "terminated", cause UND_ERR_SOCKET.
    await expect(consume()).rejects.toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
    expect(contents).toHaveLength(2); // role chunk + 2 tokens = 3 chunks
  });

  it('stalls after the first token until the client gives up', async () => {
    await control.apply({ type: 'stall' });
    const contents: string[] = [];
    let finish: string | null | undefined;
    const abort = new AbortController();
    const giveUpAfterMs = (4 * 1000) / TOKENS_PER_SECOND;
    const started = performance.now();
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }, { signal: abort.signal });
    // The SDK ends an aborted stream quietly; what matters is that nothing came after the first token.
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) contents.push(chunk.choices[0].delta.content);
      finish ??= chunk.choices[0]?.finish_reason;
      if (contents.length === 1) setTimeout(() => abort.abort(), giveUpAfterMs);
    }
    expect(contents).toHaveLength(1);
    expect(finish).toBeFalsy();
    expect(performance.now() - started).toBeGreaterThanOrEqual(TTFT_MS + giveUpAfterMs - 5);
  });

  it('sends a malformed SSE line the SDK fails to parse', async () => {
    await control.apply({ type: 'malformed-sse', atChunk: 2 });
    const consume = async () => {
      const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
      for await (const _ of stream);
    };
    await expect(consume()).rejects.toThrow(/JSON/);
  });

  it('slows the first token by a fault that overrides the configured distribution', async () => {
    await control.apply({ type: 'slow-first-token', ttft: { kind: 'fixed', ms: 450 } });
    const runs = await Promise.all([timedStream(), timedStream(), timedStream(), timedStream(), timedStream()]);
    // Overridden: neither ignored (≈ 200 ms) nor added to the configured delay (≈ 650 ms). Judged
    // within half the configured delay, so a loaded machine's late tokens are not failures.
    expect(Math.abs(median(runs.map((r) => r.afterHeadersMs)) - 450)).toBeLessThan(TTFT_MS / 2);
    expect(Math.min(...runs.map((r) => r.firstTokenMs))).toBeGreaterThanOrEqual(450);
  });

  it('replays the same ids and fault draws after a control reset, as a freshly started mock would', async () => {
    const run = async () => {
      await control.apply({ type: 'rate-limit', rate: 0.5 });
      const outcomes: string[] = [];
      for (let i = 0; i < 8; i++) {
        const answer = await client()
          .chat.completions.create({ model: 'gpt-4o-mini', messages, max_completion_tokens: 1 })
          .then((c) => c.id, (error: APIError) => `HTTP ${error.status}`);
        outcomes.push(answer);
      }
      return outcomes;
    };
    const first = await run();
    expect(first.filter((o) => o === 'HTTP 429').length, first.join()).toBeGreaterThan(0);
    expect(first.filter((o) => o.startsWith('chatcmpl-')).length, first.join()).toBeGreaterThan(0);
    await control.reset();
    expect(await run()).toEqual(first);
  });

  it('answers a bad control request with 400 naming the field, and applies nothing', async () => {
    const field = (spec: Parameters<MockControl['apply']>[0]) =>
      control.apply(spec).then(
        () => undefined,
        (e: MockControlError) => [e.status, e.field],
      );
    expect(await field({ type: 'brownout' })).toEqual([400, 'type']);
    expect(await field({ type: 'stream-cut', afterChunks: -1 })).toEqual([400, 'afterChunks']);
    expect(await field({ type: 'slow-first-token' })).toEqual([400, 'ttft']);
    expect(await field({ type: 'rate-limit', rate: 2 })).toEqual([400, 'rate']);
    expect(await field({ type: 'overloaded', ttlMs: 0 })).toEqual([400, 'ttlMs']);
    expect(await control.list()).toEqual([]);
  });
});

describe('the LLM mock as a service of env:up', () => {
  const options = { ttft: { kind: 'fixed', ms: 60 }, tokensPerSecond: 200, responseTokens: 8 } as const;
  let env: Environment;
  beforeAll(async () => {
    env = await testEnvironment({ seed: 21, services: { llm: options } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('serves the SDK through its Toxiproxy proxy at LLM_URL, faults through the direct control API, content from the run seed', async () => {
    const llm = env.services.llm!;
    expect(env.env.LLM_URL).toBe(llm.url);
    expect(llm.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(llm.url).not.toBe(llm.directUrl);
    const control = new MockControl(llm.directUrl);
    expect(await control.health()).toEqual({ ok: true, service: 'llm', seed: 21 });

    const sdk = new OpenAI({ baseURL: llm.url, apiKey: 'sk-faultline-test', maxRetries: 0 });
    let text = '';
    for await (const chunk of await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) text += chunk.choices[0]?.delta.content ?? '';
    // The process answers exactly what the same handlers with the same seed answer in-process.
    const inProcess = await serveHandlers(llmHandlers({ seed: 21, ...options }));
    try {
      const local = await new OpenAI({ baseURL: `${inProcess.url}/v1`, apiKey: 'x', maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(text).toBe(local.choices[0]!.message.content);
    } finally {
      await inProcess.close();
    }

    const fault = await control.apply({ type: 'overloaded', ttlMs: 10_000 });
    await expect(sdk.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toMatchObject({ status: 503, code: 'server_is_overloaded' });
    await control.clear(fault.id);
    expect((await control.stats()).requests['POST /v1/chat/completions']).toBe(2);
  });
});
