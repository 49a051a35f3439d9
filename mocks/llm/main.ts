import { runMock } from '../http/main.ts';
import { directChatRoute } from './direct.ts';
import { createLlmMock } from './handlers.ts';
import type { LlmOptionsInput } from './options.ts';

// The LLM mock as a process of env:up (see mocks/llm/service.ts).
await runMock<LlmOptionsInput>('llm', ({ seed, options }) => {
  const { port: _port, ...rest } = options ?? {};
  const mock = createLlmMock({ ...rest, seed });
  // The chat route (the hot path with many streams open) straight on node:http, the rest through msw.
  return { handlers: mock.handlers, direct: directChatRoute(mock.chat) };
});
