import { z } from 'zod';
import { toxicPreset } from '../network-toxic.ts';

/** Limits throughput to `rate` KB/s. */
export default toxicPreset('bandwidth', 'bandwidth', 'throughput capped at rate KB/s (Toxiproxy bandwidth)', {
  rate: z.number().int().min(0),
});
