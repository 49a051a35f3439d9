import { z } from 'zod';
import { FaultlineError } from '../../lib/errors.ts';
import { type Random, seededRandom } from './random.ts';

/** One kind of fault a mock can inject, with the schema of its parameters. */
export interface FaultDefinition<Params = any> {
  type: string;
  description: string;
  params: z.ZodType<Params>;
}

/**
 * The `rate` param of a sampled fault, the same in every mock: the share of matching
 * requests it hits, 0..1, drawn from the mock's seeded random; 1 (the default) = all.
 */
export const faultRate = z.number().min(0).max(1).default(1).describe('share of matching requests hit, 0..1, drawn from the seeded random');

/** Identity helper that keeps the params type. */
export function defineFault<P>(definition: FaultDefinition<P>): FaultDefinition<P> {
  return definition;
}

/** A fault in force. */
export interface ActiveFault<Params = any> {
  id: string;
  type: string;
  /** What it applies to (an RPC provider name, a route); undefined = everything. */
  target?: string;
  params: Params;
  appliedAt: string;
  expiresAt?: string;
  hits: number;
}

/** A control request the mock cannot honour: answered with 400 and the field at fault. */
export class ControlError extends FaultlineError {
  readonly status = 400;
  constructor(
    readonly field: string,
    readonly expected: string,
    message = `${field}: expected ${expected}`,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface ControllerOptions {
  /** Valid values of `target`; any string when omitted. */
  targets?: string[];
}

/**
 * The fault registry behind a mock's control API: validates and applies faults (whole
 * or not at all), expires them after their ttl, and counts requests and fault hits.
 * All randomness of the mock comes from its seeded streams (see stream()), so runs replay.
 */
export class FaultController {
  private readonly random: Random;
  private readonly streams = new Map<string, Random>();
  /** One handle per label, kept across reset(): it draws from whatever `streams` holds now. */
  private readonly handles = new Map<string, Random>();
  private readonly definitions: Map<string, FaultDefinition>;
  private faults: ActiveFault[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private requests: Record<string, number> = {};
  private hitsByFault: Record<string, { type: string; hits: number }> = {};
  private nextId = 1;

  constructor(
    readonly service: string,
    definitions: FaultDefinition[],
    readonly seed: number,
    private readonly options: ControllerOptions = {},
  ) {
    this.definitions = new Map(definitions.map((d) => [d.type, d]));
    this.random = seededRandom(seed);
  }

  /** The fault types this mock knows, for the 400 message and GET /faults. */
  get types(): string[] {
    return [...this.definitions.keys()];
  }

  /** Validates `body` completely, then applies it. Throws ControlError and changes nothing on bad input. */
  apply(body: unknown): ActiveFault {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ControlError('(body)', 'a JSON object like {"type": "...", ...}');
    const { type, target, ttlMs, ...rest } = body as Record<string, unknown>;
    const definition = typeof type === 'string' ? this.definitions.get(type) : undefined;
    if (!definition) throw new ControlError('type', `one of ${this.types.map((t) => `"${t}"`).join(', ')}`, `type: unknown fault ${JSON.stringify(type)}; expected one of ${this.types.join(', ')}`);
    if (target !== undefined && (typeof target !== 'string' || (this.options.targets && !this.options.targets.includes(target)))) {
      throw new ControlError('target', this.options.targets ? `one of ${this.options.targets.map((t) => `"${t}"`).join(', ')}` : 'a string');
    }
    if (ttlMs !== undefined && (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0)) throw new ControlError('ttlMs', 'a positive number of milliseconds');
    const parsed = definition.params.safeParse(rest);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || '(params)';
      const expected = issue.code === 'unrecognized_keys' ? `no field ${issue.keys.map((k) => `"${k}"`).join(', ')} for fault "${definition.type}"` : issue.message;
      throw new ControlError(field, expected, `${field}: ${expected}`);
    }

    const now = Date.now();
    const fault: ActiveFault = {
      id: `f${this.nextId++}`,
      type: definition.type,
      target: target as string | undefined,
      params: parsed.data,
      appliedAt: new Date(now).toISOString(),
      expiresAt: ttlMs ? new Date(now + (ttlMs as number)).toISOString() : undefined,
      hits: 0,
    };
    this.faults.push(fault);
    this.hitsByFault[fault.id] = { type: fault.type, hits: 0 };
    if (ttlMs) {
      const timer = setTimeout(() => this.clear(fault.id), ttlMs as number);
      timer.unref();
      this.timers.set(fault.id, timer);
    }
    return fault;
  }

  /** Removes one fault, or all when `id` is omitted. False if `id` is unknown. */
  clear(id?: string): boolean {
    const before = this.faults.length;
    this.faults = id === undefined ? [] : this.faults.filter((f) => f.id !== id);
    for (const [faultId, timer] of this.timers) {
      if (id === undefined || faultId === id) {
        clearTimeout(timer);
        this.timers.delete(faultId);
      }
    }
    return this.faults.length < before;
  }

  list(): ActiveFault[] {
    return [...this.faults];
  }

  /**
   * The newest active fault of `type` that applies to `target` (faults without a target
   * apply everywhere). Call `hit()` when it actually changes a response.
   */
  find<P = any>(type: string, target?: string): ActiveFault<P> | undefined {
    for (let i = this.faults.length - 1; i >= 0; i--) {
      const fault = this.faults[i]!;
      if (fault.type === type && (fault.target === undefined || fault.target === target)) return fault;
    }
    return undefined;
  }

  /** Records that a fault changed a response. */
  hit(fault: ActiveFault): void {
    fault.hits++;
    const stats = this.hitsByFault[fault.id];
    if (stats) stats.hits++;
  }

  /** Counts one request on a route (e.g. "POST /v1/chat/completions", "infura eth_call"). */
  countRequest(route: string): void {
    this.requests[route] = (this.requests[route] ?? 0) + 1;
  }

  stats(): { requests: Record<string, number>; faults: Record<string, { type: string; hits: number }> } {
    return { requests: { ...this.requests }, faults: structuredClone(this.hitsByFault) };
  }

  /**
   * The mock's random stream for one kind of decision (fault sampling, latencies, ids):
   * derived from the seed and the label, so drawing for one kind never shifts another's,
   * and rewound by reset(), so a reset mock replays a run draw for draw.
   */
  stream(label: string): Random {
    let handle = this.handles.get(label);
    if (!handle) {
      const current = () => {
        let stream = this.streams.get(label);
        if (!stream) this.streams.set(label, (stream = this.random.fork(label)));
        return stream;
      };
      handle = { next: () => current().next(), int: (max) => current().int(max), chance: (p) => current().chance(p), normal: () => current().normal(), fork: (l) => current().fork(l) };
      this.handles.set(label, handle);
    }
    return handle;
  }

  /** Clears faults and stats, and rewinds the random streams. */
  reset(): void {
    this.clear();
    this.streams.clear();
    this.requests = {};
    this.hitsByFault = {};
  }
}
