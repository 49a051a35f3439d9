/**
 * The root of every error Faultline raises on purpose. Each subclass is named for the
 * condition; each message says what failed, why, and what to do about it. The CLI maps
 * a FaultlineError to exit code 2 (bad input, or an environment that would not start);
 * anything else is a bug and is printed with its stack.
 */
export class FaultlineError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A config, scenario or timeline file failed validation. `issues` are "dotted.path: what was expected" lines. */
export class ConfigInvalidError extends FaultlineError {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file} is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** Indents every line of `text` by four spaces (log tails inside messages). */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
