import { z } from 'zod';
import { rpcError } from '../answers.ts';
import { defineRpcFault } from './_fault.ts';

/** Errors for a share of requests, with a chosen HTTP status and/or JSON-RPC error code; the provider has charged them. */
export default defineRpcFault({
  type: 'error-rate',
  description: 'fail a share of requests with an HTTP status (plain body) or a JSON-RPC error code (HTTP 200 unless status is set)',
  params: z
    .strictObject({
      status: z.number().int().min(200).max(599).optional(),
      code: z.number().int().optional(),
      message: z.string().min(1).optional(),
    })
    .refine((p) => p.status !== undefined || p.code !== undefined, { message: 'status or code (or both)', path: ['status'] }),
  answer(request, { params: { status, code, message } }) {
    if (code === undefined) return { status: status!, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: message ?? `${status} upstream error` };
    return rpcError(status ?? 200, request.ids, request.batch, { code, message: message ?? 'internal error' });
  },
});
