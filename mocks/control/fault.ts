import { z } from 'zod';
import type { PluginKind } from '../../lib/discover.ts';
import type { Random } from './random.ts';

/**
 * One mock fault is one file, `mocks/<mock>/faults/<type>.ts`, holding its schema and its
 * behaviour side by side (as Toxiproxy's toxics/latency.go does), default-exporting what
 * the mock's define function (e.g. `defineRpcFault`) makes of it. Everything every fault
 * shares — target and method narrowing, ttl, hit counting, the `rate` draw — is policy of
 * the FaultController (faults.ts), written once; a fault file declares only its own params.
 */

/**
 * The `rate` of a sampled fault, added by the controller to its schema: the share of matching
 * requests it takes part in, 0..1, drawn once per request from the fault's seeded stream.
 */
export const faultRate = z.number().min(0).max(1).default(1).describe('share of matching requests hit, 0..1, drawn from the seeded random');

/** The `methods` of a fault of a mock whose requests carry methods (JSON-RPC): it then applies only to those. */
export const faultMethods = z.array(z.string().min(1)).min(1).optional().describe('only these methods (default: all)');

/** What one mock's faults have in common: declared once per mock, in its faults/_fault.ts. */
export interface FaultFamily {
  /** For messages: "rpc fault", "llm fault". */
  what: string;
  /** The mock's requests carry methods (JSON-RPC): every fault of it takes `methods`. */
  methods: boolean;
}

/** What a fault file writes: its identity, its own params, whether it is sampled, its state. */
export interface FaultSource<Own extends z.ZodObject, State> {
  /** The name a FaultSpec uses; equal to the file name. */
  type: string;
  description: string;
  /** Its own params only; `rate` (when sampled) and `methods` (where the mock has them) are added. */
  params: Own;
  /** False for a fault that is in force on every matching request and takes no `rate` (default true). */
  sampled?: boolean;
  /** Per-fault state (e.g. a token bucket per key), made when the fault is applied and dropped when it is cleared. */
  state?(params: z.output<Own>): State;
}

/** A fault as its mock's registry holds it. */
export interface FaultDefinition<Params = any, State = any> {
  readonly type: string;
  readonly description: string;
  /** The params the control API accepts: the file's own, plus `rate` if sampled, plus `methods` where the family has them. */
  readonly params: z.ZodType<Params>;
  readonly sampled: boolean;
  readonly family: FaultFamily;
  state?(params: Params): State;
}

/** An applied fault as its hooks see it. */
export interface Fault<Params = any, State = any> {
  readonly id: string;
  readonly type: string;
  /** What it applies to (an RPC provider, a model, an API); undefined = everything. */
  readonly target?: string;
  readonly params: Params;
  /** What the definition's `state()` made at apply time (undefined without one). */
  readonly state: State;
  /** The fault's own seeded stream for the values it draws (a delay), apart from its `rate` draws. */
  readonly random: Random;
}

/**
 * Makes a definition from a fault file's source: the family's shared params are added to
 * its schema here, once for every mock. `safeExtend` keeps the file's refinements (e.g.
 * error-rate's "status or code") and its strictness (an unknown field is refused).
 */
export function defineFault<Own extends z.ZodObject, State, Hooks extends object>(
  family: FaultFamily,
  source: FaultSource<Own, State> & Hooks,
): FaultDefinition<z.output<Own>, State> & Hooks {
  const sampled = source.sampled ?? true;
  const shared: Record<string, z.ZodType> = {};
  if (sampled) shared.rate = faultRate;
  if (family.methods) shared.methods = faultMethods;
  return { ...source, sampled, family, params: source.params.safeExtend(shared) as unknown as z.ZodType<z.output<Own>> };
}

/** The registry kind of one family, for `discover(import.meta.url, kind)` in its faults/index.ts. */
export function faultKind<D extends FaultDefinition>(family: FaultFamily): PluginKind<D> {
  return {
    what: family.what,
    nameOf: (fault) => fault.type,
    is: (value): value is D => typeof value === 'object' && value !== null && (value as FaultDefinition).family === family,
  };
}
