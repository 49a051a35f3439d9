import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3';
import type { FarcasterRegistry } from './registry.ts';
import {
  farcasterTime,
  HASH_SCHEME_BLAKE3,
  MESSAGE_TYPE_FRAME_ACTION,
  readMessage,
  readMessageData,
  SIGNATURE_SCHEME_ED25519,
  toHex,
  type WireMessage,
  type WireMessageData,
  WireFormatError,
} from './wire.ts';

/** The JSON body Hubble's HTTP API sends with a 400: a HubError serialized as a gRPC service error. */
export interface HubErrorBody {
  errCode: string;
  presentable: false;
  name: 'HubError';
  code: number;
  details: string;
  metadata: { errcode: string[] };
}

// gRPC status codes Hubble maps HubError codes to (toServiceError).
const GRPC_CODES: Record<string, number> = { bad_request: 3, not_found: 5, unavailable: 14, unknown: 2 };

/** A HubError body, e.g. hubError('bad_request.validation_failure', 'invalid signature'). */
export function hubError(errCode: string, details: string): HubErrorBody {
  const family = errCode.split('.')[0]!;
  return { errCode, presentable: false, name: 'HubError', code: GRPC_CODES[family] ?? 2, details, metadata: { errcode: [errCode] } };
}

export type ValidationOutcome =
  | { valid: true; message: WireMessage; data: WireMessageData }
  | { valid: false; error: HubErrorBody }
  /** Not a protobuf Message at all (Hubble answers these before validating). */
  | { valid: false; unparseable: string };

const ALLOWED_CLOCK_SKEW_SECONDS = 10 * 60;
const MAX_MESSAGE_TYPE = 17;
const invalid = (details: string): ValidationOutcome => ({ valid: false, error: hubError('bad_request.validation_failure', details) });

/**
 * Validates message bytes the way a hub does before accepting a message: the BLAKE3 hash
 * over the MessageData bytes as sent, the ed25519 signature over the hash, the data (and
 * a frame action's body), the network, and that the signer is the key registered for the
 * fid. The same checks as @farcaster/core's validations, without loading it.
 */
export function validateMessageBytes(registry: FarcasterRegistry, bytes: Uint8Array): ValidationOutcome {
  let message: WireMessage;
  let data: WireMessageData;
  try {
    message = readMessage(bytes);
  } catch (error) {
    if (error instanceof WireFormatError && error.message === 'data and dataBytes do not match') return invalid(error.message);
    if (error instanceof WireFormatError) return { valid: false, unparseable: error.message };
    throw error;
  }
  if (message.hashScheme !== HASH_SCHEME_BLAKE3) return invalid('invalid hashScheme');
  if (message.hash.length !== 20) return invalid('hash must be 20 bytes');
  if (toHex(blake3(message.dataBytes, { dkLen: 20 })) !== toHex(message.hash)) return invalid('invalid hash');
  if (message.signatureScheme !== SIGNATURE_SCHEME_ED25519) return invalid('invalid signatureScheme');
  if (message.signer.length !== 32) return invalid('signer must be 32 bytes');
  if (message.signature.length !== 64) return invalid('signature must be 64 bytes');
  if (!verifyEd25519(message.signature, message.hash, message.signer)) return invalid('invalid signature');
  try {
    data = readMessageData(message.dataBytes);
  } catch (error) {
    if (error instanceof WireFormatError) return { valid: false, error: hubError('bad_request.parse_failure', `invalid data: ${error.message}`) };
    throw error;
  }
  if (data.fid <= 0) return invalid('fid is missing');
  if (data.type <= 0 || data.type > MAX_MESSAGE_TYPE || data.type === 9 || data.type === 10) return invalid('invalid message type');
  if (data.timestamp > farcasterTime(Date.now()) + ALLOWED_CLOCK_SKEW_SECONDS) return invalid('timestamp more than 10 mins in the future');
  if (data.type === MESSAGE_TYPE_FRAME_ACTION) {
    const body = data.frameAction;
    if (!body) return invalid('frameActionBody is missing');
    if (Buffer.byteLength(body.url) > 1024) return invalid('url > 1024 bytes');
    if (body.buttonIndex > 5) return invalid('invalid button index');
    if (body.castId && (body.castId.fid <= 0 || body.castId.hash.length !== 20)) return invalid('invalid castId');
    if (Buffer.byteLength(body.inputText) > 256) return invalid('input text > 256 bytes');
    if (Buffer.byteLength(body.state) > 4096) return invalid('state > 4096 bytes');
  }
  if (data.network !== registry.network) return invalid('incorrect network');
  const user = registry.user(data.fid);
  if (!user) return { valid: false, error: hubError('bad_request.unknown_fid', 'unknown fid') };
  if (toHex(message.signer) !== toHex(user.signerKey())) return invalid(`invalid signer: signer ${toHex(message.signer)} not found for fid ${data.fid}`);
  return { valid: true, message, data };
}

// Native ed25519 (OpenSSL) verifies ~20x faster than pure JS: the hub must keep up with a load test.
const publicKeys = new Map<string, KeyObject | null>();

function verifyEd25519(signature: Uint8Array, hash: Uint8Array, signer: Uint8Array): boolean {
  const id = Buffer.from(signer).toString('base64url');
  let key = publicKeys.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
    } catch {
      key = null; // not a point on the curve
    }
    if (publicKeys.size > 100_000) publicKeys.clear(); // forged signers must not grow it without bound
    publicKeys.set(id, key);
  }
  if (!key) return false;
  try {
    return verify(null, hash, key, signature);
  } catch {
    return false;
  }
}
