import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** "250ms", "1.5s", "2m" or a number of ms → ms. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}

/** A duration field: a number of ms or a string like "10s", "500ms", "2m"; parsed to ms. */
export const durationSchema = z
  .union([z.number().min(0), z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'expected a duration like "500ms", "10s" or "2m", or a number of ms')])
  .transform((v) => parseDuration(v));

/** "12.3 s" / "850 ms", for people. */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
