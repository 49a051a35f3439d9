import { describe, expect, it } from 'vitest';
import { completionStream, type StreamPlan, StreamCutError } from './stream.ts';

const plan = (extra: Partial<StreamPlan> = {}): StreamPlan => ({
  id: 'chatcmpl-test',
  created: 1,
  model: 'gpt-4o-mini',
  systemFingerprint: 'fp_test',
  tokens: ['One', ' two', ' three.'],
  finishReason: 'stop',
  ttftMs: 0,
  tokensPerSecond: 1000,
  ...extra,
});

/** Reads a stream to its end, or until it errors or `giveUpMs` passes; returns the SSE data lines. */
async function read(stream: ReadableStream<Uint8Array>, giveUpMs = 200): Promise<{ lines: string[]; error?: unknown; open?: boolean }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), giveUpMs));
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === 'timeout') {
        await reader.cancel();
        return { lines: lines(text), open: true };
      }
      if (next.done) return { lines: lines(text) };
      text += decoder.decode(next.value);
    }
  } catch (error) {
    return { lines: lines(text), error };
  }
}
const lines = (text: string) => text.split('\n\n').filter(Boolean).map((l) => l.replace(/^data: /, ''));

describe('completionStream', () => {
  it('sends the role chunk, one chunk per token, the finish chunk, usage when asked, and [DONE]', async () => {
    const usage = { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } };
    const { lines: out } = await read(completionStream(plan({ usage })));
    expect(out.at(-1)).toBe('[DONE]');
    const chunks = out.slice(0, -1).map((l) => JSON.parse(l));
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([{ role: 'assistant', content: '', refusal: null }, { content: 'One' }, { content: ' two' }, { content: ' three.' }, {}, undefined]);
    expect(chunks[4].choices[0].finish_reason).toBe('stop');
    expect(chunks[5]).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage });
    expect(chunks[0]).toMatchObject({ id: 'chatcmpl-test', object: 'chat.completion.chunk', model: 'gpt-4o-mini', usage: null });
  });

  it('errors the body after N chunks for a stream cut, without finish chunk or [DONE]', async () => {
    const { lines: out, error } = await read(completionStream(plan({ cutAfterChunks: 2 })));
    expect(error).toBeInstanceOf(StreamCutError);
    expect(out).toHaveLength(2);
    expect(out.join()).not.toContain('[DONE]');
  });

  it('stays open and silent after the first token for a stall', async () => {
    const { lines: out, open } = await read(completionStream(plan({ stallAfterFirstToken: true })), 100);
    expect(open).toBe(true);
    expect(out).toHaveLength(2);
  });

  it('replaces the chosen chunk with an unparseable data line', async () => {
    const { lines: out } = await read(completionStream(plan({ malformedAtChunk: 1 })));
    expect(() => JSON.parse(out[1]!)).toThrow();
    expect(JSON.parse(out[2]!).choices[0].delta.content).toBe(' two');
  });
});
