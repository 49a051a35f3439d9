import { z } from 'zod';
import { toxicPreset } from '../network-toxic.ts';

/** Closes a connection once `bytes` have gone through it. */
export default toxicPreset('limit-data', 'limit_data', 'connection closed after bytes transmitted (Toxiproxy limit_data)', {
  bytes: z.number().int().min(0),
});
