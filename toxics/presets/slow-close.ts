import { z } from 'zod';
import { toxicPreset } from '../network-toxic.ts';

/** Delays closing the socket by `delay` ms. */
export default toxicPreset('slow-close', 'slow_close', 'socket close delayed by delay ms (Toxiproxy slow_close)', {
  delay: z.number().int().min(0),
});
