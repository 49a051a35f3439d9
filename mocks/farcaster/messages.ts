import {
  type FarcasterNetwork,
  makeFrameAction,
  makeUserDataAdd,
  makeVerificationAddEthAddress,
  makeVerificationAddressClaim,
  Message,
  NobleEd25519Signer,
  Protocol,
  UserDataType,
  userDataTypeFromJSON,
  ViemLocalEip712Signer,
} from '@farcaster/core';
import { hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { deriveKey, type FarcasterUser } from './registry.ts';
import { farcasterTime } from './wire.ts';

// This module loads @farcaster/core (and viem): the hub imports it lazily, off the start-up path.

/** A @farcaster/core signer for the user's registered ed25519 key. */
export function signerFor(user: FarcasterUser): NobleEd25519Signer {
  return new NobleEd25519Signer(user.signerPrivateKey);
}

// Hubble stores and serves messages without dataBytes; clients such as Warpcast send them without too.
function withoutDataBytes(message: Message): Message {
  return { ...message, dataBytes: undefined };
}

/** USER_DATA_ADD messages (pfp, display name, bio, username), signed by the user's signer. */
export async function userDataMessages(user: FarcasterUser, network: number): Promise<Message[]> {
  const entries: [UserDataType, string][] = [
    [UserDataType.PFP, user.pfpUrl],
    [UserDataType.DISPLAY, user.displayName],
    [UserDataType.BIO, user.bio],
    [UserDataType.USERNAME, user.username],
  ];
  const signer = signerFor(user);
  return Promise.all(
    entries.map(async ([type, value], i) => {
      const result = await makeUserDataAdd({ type, value }, { fid: user.fid, network: network as FarcasterNetwork, timestamp: farcasterTime(user.registeredAt) + i }, signer);
      return withoutDataBytes(result._unsafeUnwrap());
    }),
  );
}

/**
 * VERIFICATION_ADD_ETH_ADDRESS messages, oldest first, each with a real EIP-712 claim
 * signature by the verified wallet (as Hubble requires), signed by the user's signer.
 */
export async function verificationMessages(user: FarcasterUser, network: number): Promise<Message[]> {
  const signer = signerFor(user);
  const messages: Message[] = [];
  for (const [i, wallet] of user.wallets.entries()) {
    const address = hexToBytes(wallet.address);
    const blockHash = deriveKey(user.fid, `verification-block:${i}`);
    const claim = makeVerificationAddressClaim(user.fid, address, network as FarcasterNetwork, blockHash, Protocol.ETHEREUM)._unsafeUnwrap();
    const claimSignature = (await new ViemLocalEip712Signer(privateKeyToAccount(wallet.privateKey)).signVerificationEthAddressClaim(claim))._unsafeUnwrap();
    const result = await makeVerificationAddEthAddress(
      { address, claimSignature, blockHash, verificationType: 0, chainId: 0, protocol: Protocol.ETHEREUM },
      { fid: user.fid, network: network as FarcasterNetwork, timestamp: farcasterTime(wallet.verifiedAt) },
      signer,
    );
    messages.push(withoutDataBytes(result._unsafeUnwrap()));
  }
  return messages;
}

export interface FrameActionInput {
  /** The frame's URL (what the frame server receives as untrustedData.url). */
  url: string;
  /** 1–4. */
  buttonIndex: number;
  /** The cast that holds the frame. */
  castId?: { fid: number; hash: Uint8Array };
  inputText?: string;
  state?: string;
  /** Unix ms; fixed by the caller so a pool is deterministic. */
  timestamp: number;
}

/** A real, signed FRAME_ACTION message from this user's registered signer. */
export async function frameActionMessage(user: FarcasterUser, network: number, input: FrameActionInput, signer: NobleEd25519Signer = signerFor(user)): Promise<Message> {
  const text = new TextEncoder();
  const result = await makeFrameAction(
    {
      url: text.encode(input.url),
      buttonIndex: input.buttonIndex,
      castId: input.castId ?? { fid: user.fid, hash: new Uint8Array(20) },
      inputText: text.encode(input.inputText ?? ''),
      state: text.encode(input.state ?? ''),
      transactionId: new Uint8Array(),
      address: new Uint8Array(),
    },
    { fid: user.fid, network: network as FarcasterNetwork, timestamp: farcasterTime(input.timestamp) },
    signer,
  );
  if (result.isErr()) throw new Error(`cannot build a frame action for fid ${user.fid}: ${result.error.message}`);
  return withoutDataBytes(result.value);
}

/** The protobuf bytes a frame server receives as trustedData.messageBytes. */
export function encodeMessage(message: Message): Uint8Array {
  return Message.encode(message).finish();
}

// Fields Hubble's HTTP API turns from protobuf-JSON base64 into 0x hex (apps/hubble httpServer).
const HEX_KEYS = new Set(['hash', 'address', 'signer', 'blockHash', 'transactionHash', 'key', 'owner', 'to', 'from', 'recoveryAddress']);

/** Protobuf Message bytes in Hubble's JSON shape (what POST /v1/validateMessage returns as `message`). */
export function hubJsonOfBytes(bytes: Uint8Array): Record<string, unknown> {
  return hubJson(Message.decode(bytes));
}

/** A message in the JSON shape Hubble's HTTP API answers with: protobuf JSON, with hashes, signers and addresses in hex. */
export function hubJson(message: Message): Record<string, unknown> {
  return hexify(Message.toJSON(message)) as Record<string, unknown>;
}

function hexify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexify);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = HEX_KEYS.has(key) && typeof field === 'string' ? base64ToHex(field) : hexify(field);
  }
  return out;
}

function base64ToHex(text: string): string {
  const bytes = Buffer.from(text, 'base64');
  // Hubble leaves a string alone when it is not canonical base64.
  return bytes.toString('base64') === text ? `0x${bytes.toString('hex')}` : text;
}

/** Hubble takes user_data_type as a name (USER_DATA_TYPE_USERNAME) or a number (6). */
export function userDataTypeOf(value: string): UserDataType | undefined {
  try {
    return userDataTypeFromJSON(/^\d+$/.test(value) ? Number(value) : value);
  } catch {
    return undefined;
  }
}

