import { z } from 'zod';
import { defineFarcasterFault } from './_fault.ts';

/** The API answers every request with an HTTP error, in its own error shape. */
export default defineFarcasterFault({
  type: 'down',
  description: 'the hub answers every request with an HTTP error (503 by default), as when it is restarting or overloaded',
  params: z.strictObject({ status: z.number().int().min(400).max(599).default(503) }),
  // Down is down: every request while applied, not a share of them.
  sampled: false,
  refuse: ({ api }, { params: { status } }) =>
    api === 'hub'
      ? Response.json({ error: 'hub unavailable' }, { status })
      : Response.json({ code: 'ServiceUnavailable', message: 'Service temporarily unavailable', status }, { status }),
});
