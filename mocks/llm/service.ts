import { mockService } from '../service.ts';
import faults from './faults/index.ts';
import { llmOptionsSchema } from './options.ts';

/** The OpenAI-compatible LLM mock; `LLM_URL` ends in /v1, ready to be the OpenAI SDK's baseURL. */
export default mockService({
  name: 'llm',
  description: 'OpenAI-compatible LLM mock (chat completions, SSE streaming)',
  options: llmOptionsSchema,
  envVar: 'LLM_URL',
  entry: 'mocks/llm/main.ts',
  faults,
  urlPath: '/v1',
});
