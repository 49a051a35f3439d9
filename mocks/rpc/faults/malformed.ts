import { z } from 'zod';
import { defineRpcFault } from './_fault.ts';

/** A 200 with a body that is not valid JSON (cut mid-object). */
export default defineRpcFault({
  type: 'malformed',
  description: 'answer HTTP 200 with truncated, unparsable JSON',
  params: z.strictObject({}),
  // Valid up to the point where the body was cut, like a proxy that dropped the tail.
  answer: (request) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: `{"jsonrpc":"2.0","id":${JSON.stringify(request.ids[0] ?? null)},"result":"0x` }),
});
