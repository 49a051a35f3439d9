import type { z } from 'zod';
import { FaultlineError } from '../../lib/errors.ts';

/** A mock's options that do not parse: which field, what was expected, and where the fields are documented. */
export class MockOptionsInvalidError extends FaultlineError {
  constructor(
    readonly mock: string,
    readonly issues: string[],
    optionsFile: string,
  ) {
    super(`invalid ${mock} mock options:\n  ${issues.join('\n  ')}\nSee ${optionsFile} for the fields and their defaults.`);
  }
}

/** Parses a mock's options with every default filled in, or throws `ErrorClass` with dotted paths. */
export function parseMockOptions<S extends z.ZodType>(schema: S, input: unknown, fail: (issues: string[]) => Error): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw fail(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(options)'}: ${i.message}`));
  return parsed.data;
}
