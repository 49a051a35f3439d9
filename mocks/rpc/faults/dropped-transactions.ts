import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { z } from 'zod';
import { rpcResult } from '../answers.ts';
import { defineRpcFault } from './_fault.ts';

/** eth_sendRawTransaction answers the transaction hash but never forwards it. */
export default defineRpcFault({
  type: 'dropped-transactions',
  description: 'eth_sendRawTransaction returns the hash but the transaction never reaches the chain',
  params: z.strictObject({}),
  call({ call }) {
    const raw: unknown = call.raw?.params?.[0];
    if (call.method !== 'eth_sendRawTransaction' || typeof raw !== 'string' || !raw.startsWith('0x')) return undefined;
    return rpcResult(call.id, transactionHash(raw));
  },
});

/**
 * A signed transaction's hash: keccak-256 of its bytes, as viem's keccak256 gives it (an odd
 * number of hex digits gets a leading 0 there too). @noble/hashes rather than viem, which
 * costs the gateway's start-up its import for one function.
 */
export function transactionHash(raw: string): string {
  const hex = raw.slice(2);
  return `0x${bytesToHex(keccak_256(hexToBytes(hex.length % 2 ? `0${hex}` : hex)))}`;
}
