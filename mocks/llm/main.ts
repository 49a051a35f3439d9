import { runMock } from '../http/main.ts';
import { createLlmMock } from './handlers.ts';
import type { LlmOptionsInput } from './options.ts';

// The LLM mock as a process of env:up (see mocks/llm/service.ts).
await runMock<LlmOptionsInput>('llm', ({ seed, options }) => {
  const { port: _port, ...rest } = options ?? {};
  return { handlers: createLlmMock({ ...rest, seed }).handlers };
});
