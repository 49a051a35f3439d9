import type { FarcasterRegistry, FarcasterUser, Hex } from './registry.ts';
import { toHex, unixMs, type WireMessageData } from './wire.ts';

/** A Neynar v2 `user` object (GET /v2/farcaster/user/bulk, frame/validate's interactor). */
export interface NeynarUser {
  object: 'user';
  fid: number;
  username: string;
  display_name: string;
  pfp_url: string;
  custody_address: string;
  profile: { bio: { text: string } };
  follower_count: number;
  following_count: number;
  verifications: string[];
  verified_addresses: { eth_addresses: string[]; sol_addresses: string[]; primary: { eth_address: string | null; sol_address: string | null } };
  verified_accounts: unknown[];
  power_badge: boolean;
}

/**
 * The user as Neynar shows it. `verified` lists the addresses currently visible (a stale
 * hub hides the newest); Neynar gives them lowercase, newest first here, primary = newest.
 */
export function neynarUser(user: FarcasterUser, verified: Hex[]): NeynarUser {
  const addresses = [...verified].reverse().map((a) => a.toLowerCase());
  return {
    object: 'user',
    fid: user.fid,
    username: user.username,
    display_name: user.displayName,
    pfp_url: user.pfpUrl,
    custody_address: user.custodyAddress.toLowerCase(),
    profile: { bio: { text: user.bio } },
    follower_count: (user.fid * 7) % 1000,
    following_count: (user.fid * 13) % 500,
    verifications: addresses,
    verified_addresses: { eth_addresses: addresses, sol_addresses: [], primary: { eth_address: addresses[0] ?? null, sol_address: null } },
    verified_accounts: [],
    power_badge: false,
  };
}

/** The `action` of POST /v2/farcaster/frame/validate for a validated FRAME_ACTION message. */
export function validatedFrameAction(registry: FarcasterRegistry, data: WireMessageData, interactor: NeynarUser) {
  const body = data.frameAction!;
  const castFid = body.castId?.fid ?? 0;
  const castHash = toHex(body.castId?.hash ?? new Uint8Array());
  const author = registry.user(castFid);
  const timestamp = new Date(unixMs(data.timestamp)).toISOString();
  return {
    object: 'validated_frame_action' as const,
    url: body.url,
    interactor,
    tapped_button: { index: body.buttonIndex },
    input: { text: body.inputText },
    state: { serialized: body.state },
    cast: {
      object: 'cast' as const,
      hash: castHash,
      thread_hash: castHash,
      parent_hash: null,
      parent_url: null,
      author: author
        ? { object: 'user_dehydrated' as const, fid: author.fid, username: author.username, display_name: author.displayName, pfp_url: author.pfpUrl, custody_address: author.custodyAddress.toLowerCase() }
        : { object: 'user_dehydrated' as const, fid: castFid },
      text: '',
      timestamp,
      embeds: [],
    },
    timestamp,
    signer: { client: { object: 'user_dehydrated' as const, fid: data.fid } },
  };
}
