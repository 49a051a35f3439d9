import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.ts';

/** The OpenAI error a body gets, or the parsed request. */
async function answer(body: unknown) {
  const result = parseChatRequest(body);
  if (!(result instanceof Response)) return result;
  return { status: result.status, ...((await result.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }).error };
}

const user = [{ role: 'user', content: 'hi' }];

describe('parseChatRequest', () => {
  it('accepts a minimal request and reads stream, include_usage, max tokens and seed', async () => {
    expect(await answer({ model: 'm', messages: user })).toEqual({ model: 'm', messages: user, stream: false, includeUsage: false, maxTokens: undefined, seed: undefined });
    expect(await answer({ model: 'm', messages: user, stream: true, stream_options: { include_usage: true }, max_tokens: 9, seed: 4 })).toMatchObject({ stream: true, includeUsage: true, maxTokens: 9, seed: 4 });
  });

  it('answers 400 invalid_request_error naming the param, worded like the real API', async () => {
    expect(await answer({ messages: user })).toEqual({ status: 400, type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter', message: "Missing required parameter: 'model'." });
    expect(await answer({ model: 'm' })).toMatchObject({ status: 400, param: 'messages', code: 'missing_required_parameter' });
    expect(await answer({ model: 'm', messages: [] })).toMatchObject({ param: 'messages', code: 'empty_array' });
    expect(await answer({ model: 'm', messages: 'hi' })).toMatchObject({ param: 'messages', code: 'invalid_type', message: "Invalid type for 'messages': expected an array of objects, but got a string instead." });
    expect(await answer({ model: 'm', messages: [{ role: 'robot', content: 'x' }] })).toMatchObject({ param: 'messages[0].role', code: 'invalid_value' });
    expect(await answer({ model: 'm', messages: [{ role: 'user' }] })).toMatchObject({ param: 'messages[0].content' });
    expect(await answer({ model: 'm', messages: user, stream: 'yes' })).toMatchObject({ param: 'stream', code: 'invalid_type' });
    expect(await answer({ model: 'm', messages: user, stream_options: { include_usage: true } })).toMatchObject({ param: 'stream_options' });
    expect(await answer({ model: 'm', messages: user, max_completion_tokens: 0 })).toMatchObject({ param: 'max_completion_tokens', code: 'integer_below_min_value' });
    expect(await answer([])).toMatchObject({ status: 400, code: 'invalid_type' });
  });
});
