import { z } from 'zod';
import { defineRpcFault } from './_fault.ts';

/** eth_sendRawTransaction answers -32000 "nonce too low" (the transaction is not forwarded). */
export default defineRpcFault({
  type: 'nonce-too-low',
  description: 'eth_sendRawTransaction fails with -32000 "nonce too low"',
  params: z.strictObject({}),
  call: ({ call }) =>
    call.method === 'eth_sendRawTransaction' ? `{"jsonrpc":"2.0","id":${JSON.stringify(call.id)},"error":{"code":-32000,"message":"nonce too low"}}` : undefined,
});
