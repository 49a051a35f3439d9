import { z } from 'zod';
import { defineLlmFault } from './_fault.ts';

/** One chunk arrives as a truncated, unparseable data line. */
export default defineLlmFault({
  type: 'malformed-sse',
  description: 'streaming only: chunk number `atChunk` (0 = the role chunk) is sent as a truncated, unparseable data line',
  params: z.strictObject({ atChunk: z.number().int().min(0).default(1) }),
  stream: (_request, { params }) => ({ malformedAtChunk: params.atChunk }),
});
