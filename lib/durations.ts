import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** k6's duration syntax: one or more number+unit parts, largest first or not, e.g. "1m30s", "2h45m", "1.5s", "250ms". */
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** "250ms", "1.5s", "2m", "1m30s", "2h45m" (k6's syntax) or a number of ms → ms. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const text = value.trim();
  if (!DURATION.test(text)) throw new Error(`not a duration: ${value}`);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNITS[unit!]!;
  return Math.round(ms);
}

/** A duration field: a number of ms or a string in k6's syntax ("500ms", "10s", "1m30s", "1h"); parsed to ms. */
export const durationSchema = z
  .union([z.number().min(0), z.string().regex(DURATION, 'expected a duration like "500ms", "10s", "1m30s" or "1h", or a number of ms')])
  .transform((v) => parseDuration(v));

/** ms as a k6 duration string ("1500ms"), for k6 options. */
export const k6Duration = (ms: number): string => `${Math.max(0, Math.round(ms))}ms`;

/** "12.3 s" / "850 ms", for people. */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
