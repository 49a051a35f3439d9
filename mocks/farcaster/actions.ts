import { seededRandom } from '../control/random.ts';
import { encodeMessage, frameActionMessage } from './messages.ts';
import { type FarcasterOptionsInput, parseFarcasterOptions } from './options.ts';
import { deriveKey, FarcasterRegistry } from './registry.ts';

/** One pre-signed frame action, ready to POST to a frame server (`payload`) or to validate (`messageBytes`). */
export interface PooledFrameAction {
  fid: number;
  username: string;
  /** The interactor's newest verified address: where an app would send the user's claim. */
  verifiedAddress: string;
  buttonIndex: number;
  /** Hex protobuf bytes, no 0x (Neynar's message_bytes_in_hex, the frame spec's trustedData.messageBytes). */
  messageBytes: string;
  messageHash: string;
  /** The body a Farcaster client POSTs to a frame server. */
  payload: {
    untrustedData: { fid: number; url: string; messageHash: string; timestamp: number; network: number; buttonIndex: number; inputText: string; castId: { fid: number; hash: string } };
    trustedData: { messageBytes: string };
  };
}

export interface FrameActionPool {
  seed: number;
  users: number;
  firstFid: number;
  network: string;
  url: string;
  actions: PooledFrameAction[];
}

export interface PoolInput {
  seed: number;
  /** The mock's options (users, firstFid, network …): must match the running mock's for the actions to validate. */
  options?: FarcasterOptionsInput;
  count: number;
  /** Frame URL signed into each action. */
  url?: string;
  /** Unix ms of the first action, the next ones a second apart (Farcaster time has second precision); fixed, so a pool is reproducible. */
  timestamp?: number;
}

/**
 * Pre-generates signed frame actions, fids in turn (fid 1, 2, … N, 1, …), buttons drawn
 * from the seed: the same input gives the same file byte for byte (ed25519 is deterministic).
 * @example const pool = await generateFrameActionPool({ seed: 7, count: 1000 }); // k6: JSON.parse(open('actions.json'))
 */
export async function generateFrameActionPool(input: PoolInput): Promise<FrameActionPool> {
  const options = parseFarcasterOptions(input.options ?? {});
  const registry = new FarcasterRegistry(input.seed, options);
  const random = seededRandom(input.seed).fork('frame-action-pool');
  const url = input.url ?? 'https://frames.faultline.invalid/claim';
  const timestamp = input.timestamp ?? Date.UTC(2025, 0, 1);
  const actions: PooledFrameAction[] = [];
  for (let i = 0; i < input.count; i++) {
    const user = registry.users[i % registry.users.length]!;
    const buttonIndex = 1 + random.int(4);
    const castHash = Buffer.from(deriveKey(input.seed, `cast:${random.int(1000)}`).subarray(0, 20));
    const castFid = user.fid;
    // One second apart: two presses by the same fid are never byte-identical (apps key idempotency on the bytes).
    const at = timestamp + i * 1000;
    const message = await frameActionMessage(user, registry.network, { url, buttonIndex, timestamp: at, castId: { fid: castFid, hash: castHash } });
    const messageBytes = Buffer.from(encodeMessage(message)).toString('hex');
    const messageHash = `0x${Buffer.from(message.hash).toString('hex')}`;
    actions.push({
      fid: user.fid,
      username: user.username,
      verifiedAddress: user.wallets.at(-1)!.address,
      buttonIndex,
      messageBytes,
      messageHash,
      payload: {
        untrustedData: { fid: user.fid, url, messageHash, timestamp: at, network: registry.network, buttonIndex, inputText: '', castId: { fid: castFid, hash: `0x${castHash.toString('hex')}` } },
        trustedData: { messageBytes },
      },
    });
  }
  return { seed: input.seed, users: options.users, firstFid: options.firstFid, network: options.network, url, actions };
}
