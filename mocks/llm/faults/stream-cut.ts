import { z } from 'zod';
import { defineLlmFault } from './_fault.ts';

/** The connection drops mid-stream: the client sees an error after the chunks that made it, not a short answer. */
export default defineLlmFault({
  type: 'stream-cut',
  description: 'streaming only: the connection is closed after N chunks (no finish chunk, no [DONE])',
  params: z.strictObject({ afterChunks: z.number().int().min(0).default(3) }),
  stream: (_request, { params }) => ({ cutAfterChunks: params.afterChunks }),
});
