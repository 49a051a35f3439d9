import { createECDH, createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { seededRandom } from '../control/random.ts';
import type { FarcasterOptions } from './options.ts';

// No @farcaster/core or viem here: the registry is built at start-up, and those take a second to import.
export type Hex = `0x${string}`;

/** One verified eth address: a wallet whose key derives from the seed, so load tests and apps can sign with it. */
export interface Wallet {
  address: Hex;
  /** A throwaway key for the local chain, derived from the seed; never a real secret. */
  privateKey: Hex;
  /** When the verification was added (unix ms); wallets are listed oldest first. */
  verifiedAt: number;
}

// Registry data is fixed in time so the same seed gives the same messages, byte for byte.
const REGISTERED_AT = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

const WORDS = ['otter', 'falcon', 'maple', 'cobalt', 'ember', 'lotus', 'quartz', 'willow', 'raven', 'cedar', 'nova', 'pixel', 'harbor', 'lynx', 'sable', 'juniper', 'orbit', 'tidal', 'fern', 'comet', 'basalt', 'heron', 'saffron', 'drift'];

/**
 * A user of the simulated network. Addresses of verified wallets are computed up front
 * (they are funded at start-up); the signer key and custody address only when first used,
 * which keeps a 200-user hub starting in well under a second.
 */
export class FarcasterUser {
  readonly username: string;
  readonly displayName: string;
  readonly pfpUrl: string;
  readonly bio: string;
  readonly wallets: Wallet[];
  readonly registeredAt: number;
  /** The ed25519 signer key this fid registered (an app key); messages signed by any other key are rejected. */
  readonly signerPrivateKey: Uint8Array;
  private signerPublicKey?: Uint8Array;
  private custody?: { address: Hex; privateKey: Hex };

  constructor(
    private readonly seed: number,
    readonly fid: number,
    word: string,
    wallets: { address: Hex; privateKey: Hex }[],
  ) {
    this.username = `${word}${fid}`;
    this.displayName = `${word[0]!.toUpperCase()}${word.slice(1)} ${fid}`;
    this.pfpUrl = `https://faultline.invalid/pfp/${fid}.png`;
    this.bio = `Simulated Farcaster user ${fid} (faultline seed ${seed})`;
    this.registeredAt = REGISTERED_AT + (fid % 100) * DAY;
    this.signerPrivateKey = deriveKey(seed, `fid:${fid}:signer`);
    this.wallets = wallets.map((wallet, i) => ({ ...wallet, verifiedAt: this.registeredAt + (i + 1) * 30 * DAY }));
  }

  /** The address that owns the fid (custody), derived on first use. */
  get custodyAddress(): Hex {
    return this.custodyWallet.address;
  }

  get custodyWallet(): { address: Hex; privateKey: Hex } {
    if (!this.custody) {
      const privateKey = toHex(deriveKey(this.seed, `fid:${this.fid}:custody`));
      this.custody = { address: addressOf(privateKey), privateKey };
    }
    return this.custody;
  }

  /** The registered signer's public key (32 bytes). */
  signerKey(): Uint8Array {
    this.signerPublicKey ??= ed25519.getPublicKey(this.signerPrivateKey);
    return this.signerPublicKey;
  }

  /** Verified addresses, oldest first. */
  get verifiedAddresses(): Hex[] {
    return this.wallets.map((w) => w.address);
  }
}

/** The seeded user registry: same seed and options, same users, keys and addresses. */
export class FarcasterRegistry {
  readonly users: FarcasterUser[];
  /** FarcasterNetwork enum value: 1 mainnet, 2 testnet, 3 devnet. */
  readonly network: number;
  private readonly byFid = new Map<number, FarcasterUser>();

  constructor(
    readonly seed: number,
    readonly options: Pick<FarcasterOptions, 'users' | 'firstFid' | 'verificationsPerUser' | 'network'>,
  ) {
    const random = seededRandom(seed).fork('farcaster-usernames');
    this.network = NETWORKS[options.network];
    const perUser = options.verificationsPerUser;
    const wallets = deriveWallets(seed, options.users * perUser);
    this.users = Array.from({ length: options.users }, (_, i) => {
      const user = new FarcasterUser(seed, options.firstFid + i, WORDS[random.int(WORDS.length)]!, wallets.slice(i * perUser, (i + 1) * perUser));
      this.byFid.set(user.fid, user);
      return user;
    });
  }

  /** The user with this fid, or undefined when the fid is not registered. */
  user(fid: number): FarcasterUser | undefined {
    return this.byFid.get(fid);
  }

  get fids(): number[] {
    return this.users.map((u) => u.fid);
  }

  /** Every verified address of every user (what start-up funds on Anvil). */
  verifiedAddresses(): Hex[] {
    return this.users.flatMap((u) => u.verifiedAddresses);
  }
}

/** FarcasterNetwork enum values of @farcaster/core. */
export const NETWORKS: Record<FarcasterOptions['network'], number> = { mainnet: 1, testnet: 2, devnet: 3 };

/** 32 bytes from the seed and a label: a valid ed25519 key, and a valid secp256k1 key with overwhelming probability. */
export function deriveKey(seed: number, label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`faultline/farcaster/${seed >>> 0}/${label}`).digest());
}


const CURVE_ORDER = secp256k1.CURVE.n;

/**
 * `count` wallets with consecutive private keys from a seeded base (base+1, base+2, …):
 * each public key is the previous one plus G, a point addition instead of a full scalar
 * multiplication, so hundreds of wallets take milliseconds. Throwaway keys for a local chain.
 */
export function deriveWallets(seed: number, count: number): { address: Hex; privateKey: Hex }[] {
  if (count === 0) return [];
  const base = BigInt(toHex(deriveKey(seed, 'wallets'))) % (CURVE_ORDER - 2n ** 40n);
  const first = base + 1n;
  // One native multiplication for the first key; noble's own would first build a ~200 ms precompute table.
  const G = secp256k1.ProjectivePoint.BASE;
  let point = secp256k1.ProjectivePoint.fromHex(publicKeyOf(keyHex(first)));
  const points = [point];
  for (let i = 1; i < count; i++) points.push((point = point.add(G)));
  return secp256k1.ProjectivePoint.normalizeZ(points).map((p, i) => ({
    privateKey: keyHex(first + BigInt(i)),
    address: addressFromPublicKey(p.toRawBytes(false)),
  }));
}

/** The address of one private key (native secp256k1: no precompute table to build). */
export function addressOf(privateKey: Hex): Hex {
  return addressFromPublicKey(publicKeyOf(privateKey));
}

/** EIP-55 checksummed address of an uncompressed secp256k1 public key. */
function addressFromPublicKey(publicKey: Uint8Array): Hex {
  const lower = Buffer.from(keccak_256(publicKey.subarray(1)).subarray(12)).toString('hex');
  const digest = Buffer.from(keccak_256(lower)).toString('hex');
  let checksummed = '';
  for (let i = 0; i < 40; i++) checksummed += parseInt(digest[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return `0x${checksummed}`;
}

function keyHex(key: bigint): Hex {
  return `0x${key.toString(16).padStart(64, '0')}`;
}

function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

function publicKeyOf(privateKey: Hex): Uint8Array {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(Buffer.from(privateKey.slice(2), 'hex'));
  return ecdh.getPublicKey(); // uncompressed: 0x04 || x || y
}
