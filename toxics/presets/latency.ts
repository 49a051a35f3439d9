import { z } from 'zod';
import { toxicPreset } from '../network-toxic.ts';

/** Adds `latency` ms ± `jitter` ms to data through the proxy. */
export default toxicPreset('latency', 'latency', 'latency + jitter on every connection (Toxiproxy latency)', {
  latency: z.number().int().min(0),
  jitter: z.number().int().min(0).default(0),
});
