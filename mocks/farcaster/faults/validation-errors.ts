import { z } from 'zod';
import { defineFarcasterFault } from './_fault.ts';

/** Genuine messages fail validation, or the validation call itself fails. */
export default defineFarcasterFault({
  type: 'validation-errors',
  description:
    'a share of message validations fail: "invalid" says a genuine message is invalid (hub: 400 HubError; Neynar: valid=false), "error" fails the call itself (HTTP 500)',
  params: z.strictObject({ mode: z.enum(['invalid', 'error']).default('invalid') }),
  validation: (_request, { params }) => params.mode,
});
