import { createHash } from 'node:crypto';
import { FarcasterNetwork, NobleEd25519Signer } from '@farcaster/core';
import { type Hex, bytesToHex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { seededRandom } from '../control/random.ts';
import type { FarcasterOptions } from './options.ts';

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
  private signerKeyPromise?: Promise<Uint8Array>;
  private custody?: { address: Hex; privateKey: Hex };

  constructor(
    private readonly seed: number,
    readonly fid: number,
    word: string,
    verifications: number,
  ) {
    this.username = `${word}${fid}`;
    this.displayName = `${word[0]!.toUpperCase()}${word.slice(1)} ${fid}`;
    this.pfpUrl = `https://faultline.invalid/pfp/${fid}.png`;
    this.bio = `Simulated Farcaster user ${fid} (faultline seed ${seed})`;
    this.registeredAt = REGISTERED_AT + (fid % 100) * DAY;
    this.signerPrivateKey = deriveKey(seed, `fid:${fid}:signer`);
    this.wallets = Array.from({ length: verifications }, (_, i) => {
      const privateKey = bytesToHex(deriveKey(seed, `fid:${fid}:wallet:${i}`));
      return { address: privateKeyToAddress(privateKey), privateKey, verifiedAt: this.registeredAt + (i + 1) * 30 * DAY };
    });
  }

  /** The address that owns the fid (custody), derived on first use. */
  get custodyAddress(): Hex {
    return this.custodyWallet.address;
  }

  get custodyWallet(): { address: Hex; privateKey: Hex } {
    if (!this.custody) {
      const privateKey = bytesToHex(deriveKey(this.seed, `fid:${this.fid}:custody`));
      this.custody = { address: privateKeyToAddress(privateKey), privateKey };
    }
    return this.custody;
  }

  /** A @farcaster/core signer for this fid's registered key. */
  signer(): NobleEd25519Signer {
    return new NobleEd25519Signer(this.signerPrivateKey);
  }

  /** The registered signer's public key (32 bytes). */
  signerKey(): Promise<Uint8Array> {
    this.signerKeyPromise ??= this.signer()
      .getSignerKey()
      .then((result) => result._unsafeUnwrap());
    return this.signerKeyPromise;
  }

  /** Verified addresses, oldest first. */
  get verifiedAddresses(): Hex[] {
    return this.wallets.map((w) => w.address);
  }
}

/** The seeded user registry: same seed and options, same users, keys and addresses. */
export class FarcasterRegistry {
  readonly users: FarcasterUser[];
  readonly network: FarcasterNetwork;
  private readonly byFid = new Map<number, FarcasterUser>();

  constructor(
    readonly seed: number,
    readonly options: Pick<FarcasterOptions, 'users' | 'firstFid' | 'verificationsPerUser' | 'network'>,
  ) {
    const random = seededRandom(seed).fork('farcaster-usernames');
    this.network = NETWORKS[options.network];
    this.users = Array.from({ length: options.users }, (_, i) => {
      const user = new FarcasterUser(seed, options.firstFid + i, WORDS[random.int(WORDS.length)]!, options.verificationsPerUser);
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

export const NETWORKS: Record<FarcasterOptions['network'], FarcasterNetwork> = {
  mainnet: FarcasterNetwork.MAINNET,
  testnet: FarcasterNetwork.TESTNET,
  devnet: FarcasterNetwork.DEVNET,
};

/** 32 bytes from the seed and a label: a valid ed25519 key, and a valid secp256k1 key with overwhelming probability. */
export function deriveKey(seed: number, label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`faultline/farcaster/${seed >>> 0}/${label}`).digest());
}

