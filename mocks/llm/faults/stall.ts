import { z } from 'zod';
import { defineLlmFault } from './_fault.ts';

/** The stream stays open and silent after the first token, until the client gives up. */
export default defineLlmFault({
  type: 'stall',
  description: 'streaming only: after the first token the stream stays open and sends nothing more',
  params: z.strictObject({}),
  stream: () => ({ stallAfterFirstToken: true }),
});
