import { z } from 'zod';

/** One plan check of a scenario's `explain` list. */
export interface PlanCheckEntry {
  name: string;
  /** The query, as the app runs it (a statement that writes is rolled back). */
  sql: string;
  /** Text the plan must contain, e.g. `Index Scan using messages_room_created_idx`. */
  expect: string;
}

export const explainSchema = z
  .array(z.strictObject({ name: z.string().min(1), sql: z.string().min(1), expect: z.string().min(1) }))
  .default([]);
