/**
 * Just enough of the Farcaster protobuf wire format to check a message on the hot path
 * without loading @farcaster/core (whose import, with viem and faker, costs a second of
 * CPU at start-up). The hash is checked over the MessageData bytes exactly as received.
 */
import { FaultlineError } from '../../lib/errors.ts';

export const MESSAGE_TYPE_FRAME_ACTION = 13;
export const HASH_SCHEME_BLAKE3 = 1;
export const SIGNATURE_SCHEME_ED25519 = 1;
/** Farcaster time counts seconds from 2021-01-01T00:00:00Z. */
export const FARCASTER_EPOCH = 1_609_459_200_000;

/** Bytes that are not a well-formed protobuf message of the expected shape. */
export class WireFormatError extends FaultlineError {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

export interface WireMessage {
  /** The MessageData bytes the hash covers: field `data` as sent, or `data_bytes`. */
  dataBytes: Uint8Array;
  hash: Uint8Array;
  hashScheme: number;
  signature: Uint8Array;
  signatureScheme: number;
  signer: Uint8Array;
}

export interface WireFrameAction {
  url: string;
  buttonIndex: number;
  castId?: { fid: number; hash: Uint8Array };
  inputText: string;
  state: string;
  transactionId: Uint8Array;
  address: Uint8Array;
}

export interface WireMessageData {
  type: number;
  fid: number;
  timestamp: number;
  network: number;
  frameAction?: WireFrameAction;
}

/** Reads a Message envelope (protobuf fields 1–7). */
export function readMessage(bytes: Uint8Array): WireMessage {
  let data: Uint8Array | undefined;
  let dataBytes: Uint8Array | undefined;
  const message: Omit<WireMessage, 'dataBytes'> = { hash: new Uint8Array(), hashScheme: 0, signature: new Uint8Array(), signatureScheme: 0, signer: new Uint8Array() };
  for (const field of fields(bytes)) {
    if (field.number === 1) data = field.bytes();
    else if (field.number === 2) message.hash = field.bytes();
    else if (field.number === 3) message.hashScheme = field.varint();
    else if (field.number === 4) message.signature = field.bytes();
    else if (field.number === 5) message.signatureScheme = field.varint();
    else if (field.number === 6) message.signer = field.bytes();
    else if (field.number === 7) dataBytes = field.bytes();
  }
  // With both present the hash covers data_bytes: a different `data` beside it would be unsigned content.
  if (data && dataBytes && Buffer.compare(Buffer.from(data), Buffer.from(dataBytes)) !== 0) throw new WireFormatError('data and dataBytes do not match');
  const covered = dataBytes ?? data;
  if (!covered || covered.length === 0) throw new WireFormatError('message has no data');
  return { dataBytes: covered, ...message };
}

/** Reads MessageData (type, fid, timestamp, network, and the frame action body, field 16). */
export function readMessageData(bytes: Uint8Array): WireMessageData {
  const data: WireMessageData = { type: 0, fid: 0, timestamp: 0, network: 0 };
  for (const field of fields(bytes)) {
    if (field.number === 1) data.type = field.varint();
    else if (field.number === 2) data.fid = field.varint();
    else if (field.number === 3) data.timestamp = field.varint();
    else if (field.number === 4) data.network = field.varint();
    else if (field.number === 16) data.frameAction = readFrameAction(field.bytes());
    else field.skip();
  }
  return data;
}

function readFrameAction(bytes: Uint8Array): WireFrameAction {
  const text = new TextDecoder('utf-8', { fatal: true });
  const body: WireFrameAction = { url: '', buttonIndex: 0, inputText: '', state: '', transactionId: new Uint8Array(), address: new Uint8Array() };
  try {
    for (const field of fields(bytes)) {
      if (field.number === 1) body.url = text.decode(field.bytes());
      else if (field.number === 2) body.buttonIndex = field.varint();
      else if (field.number === 3) {
        const castId: { fid: number; hash: Uint8Array } = { fid: 0, hash: new Uint8Array() };
        for (const inner of fields(field.bytes())) {
          if (inner.number === 1) castId.fid = inner.varint();
          else if (inner.number === 2) castId.hash = inner.bytes();
        }
        body.castId = castId;
      } else if (field.number === 4) body.inputText = text.decode(field.bytes());
      else if (field.number === 5) body.state = text.decode(field.bytes());
      else if (field.number === 6) body.transactionId = field.bytes();
      else if (field.number === 7) body.address = field.bytes();
    }
  } catch (error) {
    if (error instanceof TypeError) throw new WireFormatError('frame action text is not UTF-8');
    throw error;
  }
  return body;
}

interface Field {
  number: number;
  varint(): number;
  bytes(): Uint8Array;
  skip(): void;
}

/** Iterates the fields of a protobuf message; each field must be read (varint/bytes) or skipped. */
function* fields(bytes: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new WireFormatError('truncated varint');
      const byte = bytes[pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) throw new WireFormatError('varint out of range');
        return result;
      }
      scale *= 128;
    }
    throw new WireFormatError('varint too long');
  };
  while (pos < bytes.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new WireFormatError('field number 0');
    let consumed = false;
    const expect = (type: number) => {
      if (wireType !== type) throw new WireFormatError(`field ${number}: wire type ${wireType}, expected ${type}`);
      if (consumed) throw new WireFormatError(`field ${number} read twice`);
      consumed = true;
    };
    const skip = () => {
      if (consumed) return;
      consumed = true;
      if (wireType === 0) varint();
      else if (wireType === 1) pos += 8;
      else if (wireType === 2) pos += varint();
      else if (wireType === 5) pos += 4;
      else throw new WireFormatError(`field ${number}: unsupported wire type ${wireType}`);
      if (pos > bytes.length) throw new WireFormatError(`field ${number}: truncated`);
    };
    yield {
      number,
      varint: () => (expect(0), varint()),
      bytes: () => {
        expect(2);
        const length = varint();
        if (pos + length > bytes.length) throw new WireFormatError(`field ${number}: truncated`);
        const value = bytes.subarray(pos, pos + length);
        pos += length;
        return value;
      },
      skip,
    };
    skip(); // a field the caller did not read
  }
}

/** Unix ms → Farcaster time (seconds since 2021-01-01), as in MessageData.timestamp. */
export function farcasterTime(unixMs: number): number {
  return Math.floor((unixMs - FARCASTER_EPOCH) / 1000);
}

/** Farcaster time → unix ms. */
export function unixMs(farcasterTimestamp: number): number {
  return farcasterTimestamp * 1000 + FARCASTER_EPOCH;
}

export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}
