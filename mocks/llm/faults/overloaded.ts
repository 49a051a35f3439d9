import { z } from 'zod';
import { openAIError } from '../errors.ts';
import { defineLlmFault } from './_fault.ts';

/** OpenAI's 503 when it sheds load. */
export default defineLlmFault({
  type: 'overloaded',
  description: '503 server_is_overloaded',
  params: z.strictObject({}),
  refuse: ({ requestId }) =>
    openAIError(503, { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: 'server_is_overloaded' }, { 'x-request-id': requestId }),
});
