import { z } from 'zod';
import { ConfigInvalidError } from './errors.ts';

/** A TCP port; 0 or absent means "any free one". */
export const portSchema = z.number().int().min(0).max(65535);

/** One zod issue as "dotted.path: what was expected", the form every file error uses. */
export function formatIssue(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): string {
  const path = [...prefix, ...issue.path].map((p) => (/^[\w$-]+$/.test(String(p)) ? String(p) : JSON.stringify(String(p)))).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    // Keys that are no field name at all (a file that is not what it was given as) are counted, not echoed.
    const names = issue.keys.filter((k) => /^[\w$-]{1,40}$/.test(k));
    const others = issue.keys.length - names.length;
    const listed = [...names.map((k) => `"${k}"`), ...(others ? [`${others} key(s) that are no field name (is this the right file?)`] : [])];
    return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${listed.join(', ')}`;
  }
  // A record key that is not valid says why, not "Invalid key in record".
  if (issue.code === 'invalid_key' && issue.issues[0]) return `${path}: ${issue.issues[0].message}`;
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) return `${path}: expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
  return `${path}: ${issue.message}`;
}

/** The issues of a failed parse, each under `prefix`. */
export const issuesOf = (error: z.ZodError, prefix: PropertyKey[] = []) => error.issues.map((i) => formatIssue(i, prefix));

/** Parses or throws `Error` (a ConfigInvalidError by default) naming `file` and every problem. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  file: string,
  ErrorClass: new (file: string, issues: string[]) => Error = ConfigInvalidError,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ErrorClass(file, issuesOf(parsed.error));
  return parsed.data;
}

/**
 * A union told apart by which key an object has (`{ check }`, `{ sql }`, `{ redis }`, ...):
 * unlike z.union, a mistake is reported against the schema the object meant, with its
 * field paths, instead of "Invalid input".
 */
export function byKey<S extends Record<string, z.ZodType>>(variants: S, expected: string): z.ZodType<z.output<S[keyof S]>, unknown> {
  return z.unknown().transform((value, ctx) => {
    const key = value && typeof value === 'object' ? Object.keys(variants).find((k) => k in value) : undefined;
    if (!key) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
      return z.NEVER;
    }
    const parsed = variants[key]!.safeParse(value);
    if (parsed.success) return parsed.data as z.output<S[keyof S]>;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: formatIssue(issue).replace(/^[^:]*: /, ''), path: issue.path } as never);
    return z.NEVER;
  });
}
