import { z } from 'zod';
import { ConfigInvalidError } from './errors.ts';

/** A TCP port; 0 or absent means "any free one". */
export const portSchema = z.number().int().min(0).max(65535);

/** One zod issue as "dotted.path: what was expected", the form every file error uses. */
export function formatIssue(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): string {
  const path = [...prefix, ...issue.path].map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
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
