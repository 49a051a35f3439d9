import { bytesCompare, Message, MessageData, validations } from '@farcaster/core';
import type { FarcasterRegistry } from './registry.ts';

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

export type ValidationOutcome = { valid: true; message: Message } | { valid: false; error: HubErrorBody };

/**
 * Validates a message the way a hub does before accepting it: structure, BLAKE3 hash over
 * the data, ed25519 signature over the hash (@farcaster/core validations), the network,
 * and that the signer is the key registered for the fid in the registry.
 */
export async function validateHubMessage(registry: FarcasterRegistry, message: Message): Promise<ValidationOutcome> {
  // validateMessage hashes dataBytes when present and never compares them with `data`: a
  // tampered `data` next to the original dataBytes would pass, so insist they agree.
  if (message.dataBytes && message.dataBytes.length > 0) {
    if (!message.data || bytesCompare(MessageData.encode(message.data).finish(), message.dataBytes) !== 0) {
      return { valid: false, error: hubError('bad_request.validation_failure', 'data and dataBytes do not match') };
    }
  }
  const checked = await validations.validateMessage(message);
  if (checked.isErr()) return { valid: false, error: hubError(checked.error.errCode, checked.error.message) };
  const data = message.data!;
  if (data.network !== registry.network) return { valid: false, error: hubError('bad_request.validation_failure', 'incorrect network') };
  const user = registry.user(data.fid);
  if (!user) return { valid: false, error: hubError('bad_request.unknown_fid', 'unknown fid') };
  if (bytesCompare(message.signer, await user.signerKey()) !== 0) {
    return { valid: false, error: hubError('bad_request.validation_failure', `invalid signer: signer 0x${Buffer.from(message.signer).toString('hex')} not found for fid ${data.fid}`) };
  }
  return { valid: true, message };
}

/** Decodes protobuf Message bytes; undefined when they are not a Message. */
export function decodeMessage(bytes: Uint8Array): Message | undefined {
  try {
    return Message.decode(bytes);
  } catch {
    return undefined;
  }
}
