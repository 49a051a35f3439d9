import { z } from 'zod';
import { toxicPreset } from '../network-toxic.ts';

/** Connections are reset (TCP RST) after `timeout` ms. */
export default toxicPreset('reset-peer', 'reset_peer', 'connections reset by peer after timeout ms (Toxiproxy reset_peer)', {
  timeout: z.number().int().min(0).default(0),
});
