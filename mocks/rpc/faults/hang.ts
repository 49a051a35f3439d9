import { z } from 'zod';
import { HANG } from '../answers.ts';
import { defineRpcFault } from './_fault.ts';

/** Never answers; the request ends when the client gives up. */
export default defineRpcFault({
  type: 'hang',
  description: 'never answer (until the client hangs up)',
  params: z.strictObject({}),
  refuse: () => HANG,
});
