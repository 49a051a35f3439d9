import type { z } from 'zod';
import { defineFault, type Fault, type FaultDefinition, type FaultFamily, faultKind, type FaultSource } from '../../control/fault.ts';
import type { HANG, Reply, RpcId } from '../answers.ts';
import type { Call } from '../gateway.ts';
import type { ProviderOptions } from '../providers.ts';
import type { Upstream } from '../upstream.ts';

/**
 * What the RPC gateway's pipeline (gateway.ts) asks a fault, in this order:
 *   delay → refuse → [the provider's own limits charge the request] → answer → [to anvil] → call
 * A request goes through `delay` and `refuse` before the provider counts it (a throttled
 * request is not charged, as with a real provider's edge), through `answer` after it was
 * charged (the node failed), and each of its calls through `call` on the way to anvil. Of
 * one hook, the request's faults are asked newest applied first; the first that returns
 * something decides (see FaultController.consult).
 */
export interface RpcFaultHooks<P = any, S = any> {
  /** How long to hold the request (ms) before anything else, or undefined. */
  delay?(request: RpcRequest, fault: Fault<P, S>): number | undefined;
  /** An answer in place of the provider's (uncharged), HANG to answer nothing, or undefined to let it through. */
  refuse?(request: RpcRequest, fault: Fault<P, S>): Reply | typeof HANG | undefined;
  /** After the provider charged the request: the answer anvil's is replaced by, or undefined. */
  answer?(request: RpcRequest, fault: Fault<P, S>): Reply | undefined;
  /**
   * Per call of an admitted request (a fault with this hook makes the gateway forward a
   * batch call by call): this call's JSON answer, or undefined to forward it as is.
   */
  call?(call: RpcCall, fault: Fault<P, S>): string | Promise<string> | undefined;
}

/** One JSON-RPC request (single or batch) to one provider, as the request hooks see it. */
export interface RpcRequest {
  provider: ProviderOptions;
  /** The API key of the path, '' when keyless. */
  key: string;
  calls: Call[];
  batch: boolean;
  ids: RpcId[];
  /** What it costs against the provider's limits (requests, or Alchemy compute units). */
  cost: number;
  /** When it arrived (epoch ms), before any delay. */
  now: number;
  /** Requests of this key in the current wall-clock second, for Infura's `current_rps`. */
  currentRps: number;
}

/** One call on its way to anvil, and the way there. */
export interface RpcCall {
  call: Call;
  upstream: Upstream;
}

/** The RPC gateway's faults take `methods`: JSON-RPC calls have them. */
const RPC_FAULTS: FaultFamily = { what: 'rpc fault', methods: true };

export type RpcFault = FaultDefinition & RpcFaultHooks;

/** An RPC gateway fault: its schema and its behaviour (the hooks above). */
export function defineRpcFault<Own extends z.ZodObject, S = undefined>(source: FaultSource<Own, S> & RpcFaultHooks<z.output<Own>, S>): RpcFault {
  return defineFault(RPC_FAULTS, source);
}

export const rpcFaultKind = faultKind<RpcFault>(RPC_FAULTS);
