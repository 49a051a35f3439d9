import { z } from 'zod';
import { toxicPreset } from '../network-toxic.ts';

/** Stops all data and closes the connection after `timeout` ms (0: never closes, data held until reverted). */
export default toxicPreset('timeout', 'timeout', 'no data gets through; connections close after timeout ms (Toxiproxy timeout)', {
  timeout: z.number().int().min(0),
});
