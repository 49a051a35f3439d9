import { jwtVerify, SignJWT } from 'jose';
import { type Address, getAddress, isAddress, keccak256, toHex } from 'viem';

/** Who is calling: from the JWT's `tenant` and `sub` claims; `wallet` claim or an address derived from both. */
export interface Caller {
  tenant: string;
  user: string;
  wallet: Address;
}

export class AuthError extends Error {
  readonly statusCode = 401;
  constructor(why: string) {
    super(`Unauthorized: ${why}. Send "Authorization: Bearer <JWT signed with AUTH_JWT_SECRET, with tenant and sub claims>".`);
    this.name = 'AuthError';
  }
}

const ALGORITHM = 'HS256';
const key = (secret: string) => new TextEncoder().encode(secret);

/**
 * Signs a token for a caller (scripts, k6 set-up, tests).
 * @example await signToken({ tenant: 'demo', user: 'alice' }, process.env.AUTH_JWT_SECRET)
 */
export async function signToken(claims: { tenant: string; user: string; wallet?: string }, secret: string, expiresIn = '1h'): Promise<string> {
  const extra = claims.wallet ? { wallet: claims.wallet } : {};
  return new SignJWT({ tenant: claims.tenant, ...extra })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(claims.user)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}

/** Verifies an `Authorization: Bearer` header. Throws AuthError. */
export async function authenticate(header: string | undefined, secret: string): Promise<Caller> {
  const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (!token) throw new AuthError('no bearer token');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: [ALGORITHM] }));
  } catch (error) {
    throw new AuthError(`invalid token (${(error as Error).message})`);
  }
  const tenant = payload.tenant;
  if (typeof tenant !== 'string' || !tenant || !payload.sub) throw new AuthError('the token lacks a tenant or sub claim');
  const wallet = typeof payload.wallet === 'string' && isAddress(payload.wallet) ? getAddress(payload.wallet) : walletFor(tenant, payload.sub);
  return { tenant, user: payload.sub, wallet };
}

/** A deterministic wallet for a user who has not linked one: fresh, so its balance is exactly what gifts paid it. */
export function walletFor(tenant: string, user: string): Address {
  return getAddress(`0x${keccak256(toHex(`faultline:${tenant}:${user}`)).slice(-40)}`);
}
