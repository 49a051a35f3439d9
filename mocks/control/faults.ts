import { FaultlineError } from '../../lib/errors.ts';
import type { Fault, FaultDefinition } from './fault.ts';
import { type Random, seededRandom } from './random.ts';

/** A fault in force, as the control API lists it. */
export interface ActiveFault<Params = any> {
  id: string;
  type: string;
  /** What it applies to (an RPC provider name, a route); undefined = everything. */
  target?: string;
  /** Its params with defaults filled in, the shared `rate` (and `methods`) included. */
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

/** Something a request is made of that has a method (a JSON-RPC call), for `methods` narrowing. */
export interface WithMethod {
  method: string;
}

/** An applied fault: what its hooks see (Fault), what the control API lists (`record`), and the controller's own handles. */
export class AppliedFault<D extends FaultDefinition = FaultDefinition> implements Fault {
  readonly id: string;
  readonly type: string;
  readonly target?: string;
  readonly params: any;
  readonly state: unknown;
  constructor(
    readonly definition: D,
    readonly record: ActiveFault,
    /** The `rate` draws: one per matching request. */
    readonly decisions: Random,
    readonly random: Random,
  ) {
    this.id = record.id;
    this.type = record.type;
    this.target = record.target;
    this.params = record.params;
    this.state = definition.state?.(record.params);
  }

  /** Undefined = every method. */
  get methods(): readonly string[] | undefined {
    return this.params.methods;
  }
}

/** The hooks of a family's definitions: every function-valued field but the definition's own. */
export type HookName<D> = Exclude<{ [K in keyof D]-?: NonNullable<D[K]> extends (input: any, fault: any) => unknown ? K : never }[keyof D], keyof FaultDefinition>;
type HookOf<D, K extends keyof D> = NonNullable<D[K]> extends (input: infer I, fault: any) => infer R ? { input: I; result: Exclude<R, undefined> } : never;

const NONE: readonly never[] = Object.freeze([]);

/**
 * The fault registry behind a mock's control API, and the policy every fault of every mock
 * shares, written here once:
 * - apply validates a FaultSpec whole (type, target, ttlMs, the definition's params) or
 *   changes nothing; a fault with `ttlMs` clears itself;
 * - `sample()` picks the faults that take part in one request: target narrowing (a fault
 *   without `target` applies to everything), `methods` narrowing, and the `rate` draw —
 *   exactly one number per matching request per sampled fault, from that fault's own
 *   stream `fault:<type>:<target|*>`, so one seed means the same in every mock and one
 *   fault's draws never shift another's;
 * - `consult()`/`merge()` ask the sampled faults through one hook, newest applied first,
 *   and count a hit for each fault that acted.
 * All randomness of the mock comes from its seeded streams (see stream()), so runs replay.
 */
export class FaultController<D extends FaultDefinition = FaultDefinition> {
  private readonly random: Random;
  private readonly streams = new Map<string, Random>();
  /** One handle per label, kept across reset(): it draws from whatever `streams` holds now. */
  private readonly handles = new Map<string, Random>();
  /** Oldest first; sample() walks it backwards. */
  private applied: AppliedFault<D>[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private requests: Record<string, number> = {};
  private hitsByFault: Record<string, { type: string; target?: string; hits: number }> = {};
  private readonly refusals = new Map<string, { labels: Record<string, string>; count: number }>();
  private nextId = 1;

  constructor(
    readonly service: string,
    private readonly definitions: Readonly<Record<string, D>>,
    readonly seed: number,
    private readonly options: ControllerOptions = {},
  ) {
    this.random = seededRandom(seed);
  }

  /** The fault types this mock knows, for the 400 message and GET /faults. */
  get types(): string[] {
    return Object.keys(this.definitions);
  }

  /** Validates `body` completely, then applies it. Throws ControlError and changes nothing on bad input. */
  apply(body: unknown): ActiveFault {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ControlError('(body)', 'a JSON object like {"type": "...", ...}');
    const { type, target, ttlMs, ...rest } = body as Record<string, unknown>;
    const definition = typeof type === 'string' && Object.hasOwn(this.definitions, type) ? this.definitions[type] : undefined;
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
    const record: ActiveFault = {
      id: `f${this.nextId++}`,
      type: definition.type,
      target: target as string | undefined,
      params: parsed.data,
      appliedAt: new Date(now).toISOString(),
      expiresAt: ttlMs ? new Date(now + (ttlMs as number)).toISOString() : undefined,
      hits: 0,
    };
    const label = `fault:${definition.type}:${record.target ?? '*'}`;
    this.applied.push(new AppliedFault(definition, record, this.stream(label), this.stream(`${label}:values`)));
    this.hitsByFault[record.id] = { type: record.type, ...(record.target !== undefined ? { target: record.target } : {}), hits: 0 };
    if (ttlMs) {
      const timer = setTimeout(() => this.clear(record.id), ttlMs as number);
      timer.unref();
      this.timers.set(record.id, timer);
    }
    return record;
  }

  /** Removes one fault (and its state), or all when `id` is omitted. False if `id` is unknown. */
  clear(id?: string): boolean {
    const before = this.applied.length;
    this.applied = id === undefined ? [] : this.applied.filter((f) => f.id !== id);
    for (const [faultId, timer] of this.timers) {
      if (id === undefined || faultId === id) {
        clearTimeout(timer);
        this.timers.delete(faultId);
      }
    }
    return this.applied.length < before;
  }

  list(): ActiveFault[] {
    return this.applied.map((f) => f.record);
  }

  /**
   * The faults that take part in one request to `target`, newest applied first. A fault
   * narrowed by `methods` takes part when any of `calls` has one of them. Each sampled
   * fault that matches draws once here and takes part if the draw is below its `rate`;
   * call it once per request and hand the result to every hook of that request. Without
   * faults it returns one shared empty array: nothing is allocated.
   */
  sample(target?: string, calls?: readonly WithMethod[]): readonly AppliedFault<D>[] {
    const applied = this.applied;
    if (applied.length === 0) return NONE;
    let taking: AppliedFault<D>[] | undefined;
    for (let i = applied.length - 1; i >= 0; i--) {
      const fault = applied[i]!;
      if (fault.target !== undefined && fault.target !== target) continue;
      const methods = fault.methods;
      if (methods && calls && !anyMethodIn(calls, methods)) continue;
      // Drawn whatever the rate, so a fault's n-th matching request always gets its n-th number.
      if (fault.definition.sampled && !(fault.decisions.next() < fault.params.rate)) continue;
      (taking ??= []).push(fault);
    }
    return taking ?? NONE;
  }

  /**
   * Asks `faults` (from sample()) through one hook, in their order (newest applied first):
   * the first whose hook returns something decides, and counts a hit. `method` narrows to
   * the faults whose `methods` (if any) include it, for hooks that run per call.
   */
  consult<K extends HookName<D>>(faults: readonly AppliedFault<D>[], hook: K, input: HookOf<D, K>['input'], method?: string): HookOf<D, K>['result'] | undefined {
    for (let i = 0; i < faults.length; i++) {
      const fault = faults[i]!;
      const run = fault.definition[hook] as ((input: unknown, fault: Fault) => unknown) | undefined;
      if (!run || (method !== undefined && fault.methods && !fault.methods.includes(method))) continue;
      const result = run.call(fault.definition, input, fault);
      if (result !== undefined) {
        this.hit(fault);
        return result as HookOf<D, K>['result'];
      }
    }
    return undefined;
  }

  /**
   * Asks every fault of `faults` through a hook that shapes something (a generation, a
   * stream): each answer fills the fields of `into` that a newer fault has not set, and
   * each fault that filled one counts a hit. Returns `into`.
   */
  merge<K extends HookName<D>, T extends HookOf<D, K>['result'] & object>(faults: readonly AppliedFault<D>[], hook: K, input: HookOf<D, K>['input'], into: Partial<T>): Partial<T> {
    for (let i = 0; i < faults.length; i++) {
      const fault = faults[i]!;
      const run = fault.definition[hook] as ((input: unknown, fault: Fault) => Partial<T> | undefined) | undefined;
      const result = run?.call(fault.definition, input, fault);
      if (result === undefined) continue;
      let filled = false;
      for (const key in result) {
        if (into[key] === undefined && result[key] !== undefined) {
          into[key] = result[key];
          filled = true;
        }
      }
      if (filled) this.hit(fault);
    }
    return into;
  }

  /** True if any of `faults` has `hook`: e.g. whether a request must be split into its calls. */
  hasHook(faults: readonly AppliedFault<D>[], hook: HookName<D>): boolean {
    for (let i = 0; i < faults.length; i++) if (faults[i]!.definition[hook] !== undefined) return true;
    return false;
  }

  /** Records that a fault changed a response. */
  hit(fault: AppliedFault<D>): void {
    fault.record.hits++;
    const stats = this.hitsByFault[fault.id];
    if (stats) stats.hits++;
  }

  /** Counts one request on a route (e.g. "POST /v1/chat/completions", "infura eth_call"). */
  countRequest(route: string): void {
    this.requests[route] = (this.requests[route] ?? 0) + 1;
  }

  /**
   * Counts one request the mock refused (a fault's answer or the provider's own limits), by
   * labels the mock chooses (`{ provider: 'infura', status: '429' }`): what a run's probes
   * read to show that a fault reached the dependency.
   */
  countRefusal(labels: Record<string, string>): void {
    const key = JSON.stringify(labels);
    const entry = this.refusals.get(key);
    if (entry) entry.count++;
    else this.refusals.set(key, { labels, count: 1 });
  }

  stats(): { requests: Record<string, number>; faults: Record<string, { type: string; target?: string; hits: number }>; refused: Array<{ labels: Record<string, string>; count: number }> } {
    return { requests: { ...this.requests }, faults: structuredClone(this.hitsByFault), refused: [...this.refusals.values()].map((r) => ({ labels: { ...r.labels }, count: r.count })) };
  }

  /**
   * The mock's random stream for one kind of decision (latencies, ids, a fault's draws):
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
    this.refusals.clear();
  }
}

function anyMethodIn(calls: readonly WithMethod[], methods: readonly string[]): boolean {
  for (let i = 0; i < calls.length; i++) if (methods.includes(calls[i]!.method)) return true;
  return false;
}
