import { z } from 'zod';
import { portSchema } from '../../lib/schema.ts';
import { MockOptionsInvalidError, parseMockOptions } from '../control/options.ts';

/**
 * Options of the Farcaster hub mock (faultline.config.ts `services.farcaster`, or `farcasterHandlers({...})`).
 * @example { users: 50, verificationsPerUser: 2, balanceEth: 100 }
 */
export const farcasterOptionsSchema = z.strictObject({
  /** Listening port under env:up; a free one when omitted. */
  port: portSchema.optional(),
  /** Size of the seeded user registry. */
  users: z.number().int().min(1).max(10_000).default(200),
  /** The first user's fid; the others follow one by one. */
  firstFid: z.number().int().min(1).max(2 ** 31).default(1000),
  /** Verified eth addresses per user, oldest first; the newest is the one a "stale-verifications" fault hides. */
  verificationsPerUser: z.number().int().min(1).max(5).default(2),
  /** Balance each verified address gets on Anvil at start-up (anvil_setBalance), in ether. */
  balanceEth: z.number().min(0).max(1_000_000).default(100),
  /** Network the hub accepts messages for (Hubble rejects others). */
  network: z.enum(['mainnet', 'testnet', 'devnet']).default('mainnet'),
});
export type FarcasterOptions = z.infer<typeof farcasterOptionsSchema>;
export type FarcasterOptionsInput = z.input<typeof farcasterOptionsSchema>;

/** Mock options that do not parse: which field, what was expected. */
export class FarcasterOptionsInvalidError extends MockOptionsInvalidError {
  constructor(issues: string[]) {
    super('Farcaster hub', issues, 'mocks/farcaster/options.ts');
    this.name = 'FarcasterOptionsInvalidError'; // explicit: a bundler may rename the class
  }
}

/** Parses options with every default filled in; throws FarcasterOptionsInvalidError with dotted paths. */
export function parseFarcasterOptions(input: unknown): FarcasterOptions {
  return parseMockOptions(farcasterOptionsSchema, input, (issues) => new FarcasterOptionsInvalidError(issues));
}
