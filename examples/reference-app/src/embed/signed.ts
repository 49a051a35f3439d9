import { createHmac, timingSafeEqual } from 'node:crypto';

/** A value signed with the app's secret: `<base64url JSON>.<base64url HMAC-SHA256>`. */
export function sign(secret: string, value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The value of a signed string, or undefined when its signature does not match or it is malformed. */
export function verify<T>(secret: string, signed: string): T | undefined {
  const [body, signature] = signed.split('.');
  if (!body || !signature) return undefined;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
