/**
 * Removes secrets from report text. It runs over the whole serialized output of every
 * report file (JSON, markdown, HTML, XML), so its patterns tolerate those escapings:
 * values stop at quotes, backslashes, `&`, `<` and whitespace.
 */

import { escapeHtml } from './escape.ts';
import { xml } from './junit.ts';

export const REDACTED = '[REDACTED]';

/** Env vars whose values are secrets wherever they show up: names that say SECRET, TOKEN, PASSWORD, PRIVATE_KEY, API_KEY or CREDENTIALS. */
const SECRET_ENV_NAME = /(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|APIKEY|CREDENTIALS?)(_|$)/i;
/** Shorter values would redact ordinary words (and are no secret worth the name). */
const MIN_SECRET_ENV_LENGTH = 8;

const END = `[^\\s"'\\\\<>&/?#@]`; // one character of a value that ends at any delimiter above

const PATTERNS: Array<[RegExp, string]> = [
  // Private keys (and anything else of their shape: 0x + 64 hex digits).
  [/0x[0-9a-fA-F]{64}(?![0-9a-fA-F])/g, `0x${REDACTED}`],
  // JWTs: base64url header starting with {" -> eyJ, then payload and signature.
  [/eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){0,2}/g, REDACTED],
  // Authorization header values.
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // Provider keys as path segments: the mocks' /infura/<key> and /alchemy/<key>, and the real /v3/<id>, /v2/<key>.
  [new RegExp(`/(infura|alchemy)/${END}+`, 'gi'), `/$1/${REDACTED}`],
  [/\/(v2|v3)\/[A-Za-z0-9_-]{20,}/g, `/$1/${REDACTED}`],
  // Keys in query strings (also after an HTML-escaped `&amp;`).
  [
    new RegExp(`\\b(api[-_]?key|apikey|access[-_]?token|auth[-_]?token|token|key|secret|password|passwd|pwd)=${END}+`, 'gi'),
    `$1=${REDACTED}`,
  ],
  // Passwords in connection URLs: scheme://user:password@host (user may be empty, as in redis://:pw@).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s"'\\<>/:@]*):[^\s"'\\<>/@]+@/gi, `$1:${REDACTED}@`],
];

/** Literal secret values taken from the environment (AUTH_JWT_SECRET and friends). */
export function secretValuesFrom(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_ENV_NAME.test(name) && value !== undefined && value.length >= MIN_SECRET_ENV_LENGTH)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length); // longest first, so a secret containing another goes whole
}

/** Replaces every secret-looking value in `text` with `[REDACTED]`. Example: `redact('postgres://u:pw@h')` -> `postgres://u:[REDACTED]@h`. */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const secret of secretValuesFrom(env)) {
    for (const form of new Set([secret, escapedForms(secret)].flat())) out = out.split(form).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A secret as it appears after JSON, HTML or XML escaping, so the literal match still finds it.
 * The HTML and XML forms come from the renderers' own escapers, so they cannot drift apart.
 */
function escapedForms(secret: string): string[] {
  const textOnly = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); // quotes left as they are
  return [JSON.stringify(secret).slice(1, -1), textOnly, escapeHtml(secret), xml(secret)];
}
