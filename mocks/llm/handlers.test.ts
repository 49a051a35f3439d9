import { getResponse } from 'msw';
import { setupServer } from 'msw/node';
import OpenAI, { RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockControl } from '../control/client.ts';
import { createLlmMock, llmHandlers } from './handlers.ts';
import { LlmOptionsInvalidError } from './options.ts';

const fast = { ttft: { kind: 'fixed', ms: 0 }, tokensPerSecond: 10_000, responseTokens: { min: 5, max: 30 } } as const;

/** One chat request straight through the msw handlers (no network), answered as status + text. */
async function ask(handlers: ReturnType<typeof llmHandlers>, prompt: string): Promise<{ status: number; text: string }> {
  const request = new Request('https://api.openai.com/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }),
  });
  const response = (await getResponse(handlers, request))!;
  const body = (await response.json()) as { choices?: { message: { content: string } }[] };
  return { status: response.status, text: body.choices?.[0]?.message.content ?? '' };
}

describe('llm handlers, determinism', () => {
  const run = async (seed: number) => {
    const mock = createLlmMock({ seed, ...fast });
    mock.controller.apply({ type: 'rate-limit', rate: 0.5 });
    const answers = [];
    for (let i = 0; i < 24; i++) answers.push(await ask(mock.handlers, `question ${i % 3}`));
    return answers;
  };

  it('gives identical fault decisions and identical content for the same seed, different ones for another seed', async () => {
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(a).toEqual(b);
    const statuses = a.map((x) => x.status);
    expect(statuses).toContain(429);
    expect(statuses).toContain(200);
    expect(c.map((x) => x.status)).not.toEqual(statuses);
    expect(a.find((x) => x.status === 200)?.text).toMatch(/^[A-Z][a-z]+( [a-z]+\.?)+/);
  });

  it('answers the same prompt the same way and another prompt differently', async () => {
    const handlers = llmHandlers({ seed: 9, ...fast });
    const first = await ask(handlers, 'hello');
    expect(await ask(handlers, 'hello')).toEqual(first);
    expect((await ask(handlers, 'goodbye')).text).not.toBe(first.text);
    expect((await ask(llmHandlers({ seed: 10, ...fast }), 'hello')).text).not.toBe(first.text);
  });

  it('rejects bad options naming the field', () => {
    expect(() => llmHandlers({ tokensPerSecond: -1 })).toThrow(LlmOptionsInvalidError);
    expect(() => llmHandlers({ responseTokens: { min: 9, max: 3 } })).toThrow(/responseTokens\.max/);
  });
});

describe('llm handlers reused in a user test suite through msw setupServer', () => {
  // Exactly what a user of Faultline does: no server process, the SDK's own base URL.
  const server = setupServer(...llmHandlers({ seed: 3, ...fast }));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  it('intercepts api.openai.com: a streamed completion and a fault applied through the control API', async () => {
    // Built after listen(): the SDK picks up the global fetch msw has patched.
    const openai = new OpenAI({ apiKey: 'sk-test', maxRetries: 0 });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage ??= chunk.usage;
    }
    expect(text.split(' ').length).toBe(usage!.completion_tokens);

    const control = new MockControl('https://api.openai.com');
    const fault = await control.apply({ type: 'rate-limit' });
    await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(RateLimitError);
    await control.clear(fault.id);
    expect((await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).choices[0]!.message.content).toBe(text);
  });
});
