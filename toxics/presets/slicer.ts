import { z } from 'zod';
import { toxicPreset } from '../network-toxic.ts';

/** Slices data into small packets with `delay` µs between them. */
export default toxicPreset('slicer', 'slicer', 'data sliced into small packets, delay µs apart (Toxiproxy slicer)', {
  average_size: z.number().int().min(1),
  size_variation: z.number().int().min(0).default(0),
  delay: z.number().int().min(0).default(0),
});
