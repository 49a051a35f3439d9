import { llmOptionsSchema } from '../../mocks/llm/options.ts';
import { mockService } from './mock-process.ts';

/** The OpenAI-compatible LLM mock; `LLM_URL` ends in /v1, ready to be the OpenAI SDK's baseURL. */
export const llm = mockService({
  name: 'llm',
  description: 'OpenAI-compatible LLM mock (mocks/llm)',
  options: llmOptionsSchema,
  envVar: 'LLM_URL',
  entry: 'mocks/llm/main.ts',
  urlPath: '/v1',
});
