import { z } from 'zod';
import { defineFarcasterFault } from './_fault.ts';

/** A hub that has not synced a user's newest verification yet. */
export default defineFarcasterFault({
  type: 'stale-verifications',
  description: "the newest verified address is missing from verificationsByFid and Neynar users (a hub that has not synced it yet): apps see the user's older address",
  params: z.strictObject({}),
  verifications: (user) => user.verifiedAddresses.slice(0, -1),
});
