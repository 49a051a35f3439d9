import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFault, type Fault, type FaultDefinition, type FaultFamily, type FaultSource } from './fault.ts';
import { type AppliedFault, ControlError, FaultController } from './faults.ts';
import { seededRandom } from './random.ts';

/** A family like a mock's, with one hook of each kind the controller offers. */
interface TestHooks {
  refuse?(input: string, fault: Fault): string | undefined;
  shape?(input: string, fault: Fault): { a?: string; b?: string } | undefined;
}
const rpcLike: FaultFamily = { what: 'test fault', methods: true };
const plain: FaultFamily = { what: 'test fault', methods: false };
const define = (family: FaultFamily, source: FaultSource<z.ZodObject, any> & TestHooks): FaultDefinition & TestHooks => defineFault(family, source);

const errorRate = (family = plain) =>
  define(family, {
    type: 'error-rate',
    description: 'answer some requests with an error',
    params: z.strictObject({ status: z.number().int().default(500) }),
    refuse: (_input, fault) => `error-rate ${fault.id}`,
  });
const latency = define(plain, { type: 'latency', description: 'delay some requests', params: z.strictObject({}), refuse: () => 'latency' });
const down = define(plain, { type: 'down', description: 'refuse every request', params: z.strictObject({}), sampled: false, refuse: () => 'down' });

const controller = (seed = 42) => new FaultController('test', { 'error-rate': errorRate(), latency, down }, seed, { targets: ['infura', 'alchemy'] });
const ids = (faults: readonly AppliedFault[]) => faults.map((f) => f.id);

describe('FaultController', () => {
  it('applies a valid fault with defaults filled in and finds it by type and target', () => {
    const c = controller();
    const fault = c.apply({ type: 'error-rate', target: 'infura', rate: 0.5 });
    expect(fault).toMatchObject({ id: 'f1', type: 'error-rate', target: 'infura', params: { rate: 0.5, status: 500 } });
    expect(c.list()).toEqual([fault]);
    const forInfura = Array.from({ length: 20 }, () => c.sample('infura')).flat();
    expect(new Set(ids(forInfura))).toEqual(new Set(['f1']));
    expect(Array.from({ length: 20 }, () => c.sample('alchemy')).flat()).toEqual([]);
    expect(c.apply({ type: 'error-rate' }).params).toEqual({ rate: 1, status: 500 }); // the shared rate defaults to every request
  });

  it('rejects an unknown type, a bad target, a bad ttl and a wrong param, naming the field, and applies nothing', () => {
    const c = controller();
    const field = (body: unknown) => {
      try {
        c.apply(body);
      } catch (error) {
        expect(error).toBeInstanceOf(ControlError);
        return (error as ControlError).field;
      }
      throw new Error('expected a ControlError');
    };
    expect(field({ type: 'nope' })).toBe('type');
    expect(field({ type: 'toString' })).toBe('type'); // not a fault for being on Object.prototype
    expect(field({ type: 'error-rate', target: 'quicknode', rate: 1 })).toBe('target');
    expect(field({ type: 'error-rate', rate: 1, ttlMs: -5 })).toBe('ttlMs');
    expect(field({ type: 'error-rate', rate: 2 })).toBe('rate');
    expect(field({ type: 'error-rate', rate: 1, extra: true })).toBe('(params)');
    expect(field({ type: 'down', rate: 0.5 })).toBe('(params)'); // not sampled: no rate to set
    expect(field({ type: 'error-rate', methods: ['eth_call'] })).toBe('(params)'); // this family's requests have no methods
    expect(c.list()).toEqual([]);
  });

  it('reverts a fault by itself after its ttl', async () => {
    const c = controller();
    c.apply({ type: 'error-rate', rate: 1, ttlMs: 30 });
    expect(c.list()).toHaveLength(1);
    expect(c.sample('infura')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(c.list()).toHaveLength(0);
    expect(c.sample('infura')).toHaveLength(0);
  });

  it('counts requests, hits and refusals in its stats, and reset clears them', () => {
    const c = controller();
    c.apply({ type: 'error-rate', rate: 1 });
    c.countRequest('POST /');
    c.countRequest('POST /');
    expect(c.consult(c.sample(), 'refuse', 'request')).toBe('error-rate f1');
    c.countRefusal({ provider: 'infura', status: '429' });
    c.countRefusal({ provider: 'infura', status: '429' });
    c.countRefusal({ provider: 'alchemy', status: '503' });
    expect(c.stats()).toEqual({
      requests: { 'POST /': 2 },
      faults: { f1: { type: 'error-rate', hits: 1 } },
      refused: [
        { labels: { provider: 'infura', status: '429' }, count: 2 },
        { labels: { provider: 'alchemy', status: '503' }, count: 1 },
      ],
    });
    expect(c.list()[0]!.hits).toBe(1);
    c.reset();
    expect(c.stats()).toEqual({ requests: {}, faults: {}, refused: [] });
  });
});

describe('FaultController sampling: the policy every mock shares', () => {
  /** Which of `n` requests to `target` the fault takes part in, as a string of x and . */
  const decisions = (c: FaultController, n: number, target?: string) => Array.from({ length: n }, () => (c.sample(target).length ? 'x' : '.')).join('');

  it('draws rate once per request per fault, from the stream fault:<type>:<target|*>, reproducibly from the seed', () => {
    const c = controller(7);
    c.apply({ type: 'error-rate', target: 'infura', rate: 0.5 });
    const seen = decisions(c, 64, 'infura');
    expect(seen).toMatch(/x/);
    expect(seen).toMatch(/\./);
    // Exactly one draw per request, below the rate: the stream alone predicts every decision.
    const stream = controller(7).stream('fault:error-rate:infura');
    expect(seen).toBe(Array.from({ length: 64 }, () => (stream.next() < 0.5 ? 'x' : '.')).join(''));

    const again = controller(7);
    again.apply({ type: 'error-rate', target: 'infura', rate: 0.5 });
    expect(decisions(again, 64, 'infura')).toBe(seen);
    const other = controller(8);
    other.apply({ type: 'error-rate', target: 'infura', rate: 0.5 });
    expect(decisions(other, 64, 'infura')).not.toBe(seen);
  });

  it('decides once per request: every hook of the request sees the same faults', () => {
    const c = controller(3);
    c.apply({ type: 'error-rate', rate: 0.5 });
    for (let i = 0; i < 20; i++) {
      const faults = c.sample();
      const first = c.consult(faults, 'refuse', 'r');
      expect(c.consult(faults, 'refuse', 'r')).toBe(first); // asking again draws nothing new
    }
    expect(c.stats().faults.f1!.hits).toBeGreaterThan(0);
  });

  it('replays the same decisions after reset, as a freshly started mock would', () => {
    const c = controller(11);
    c.apply({ type: 'error-rate', rate: 0.3 });
    const first = decisions(c, 40);
    c.reset();
    c.apply({ type: 'error-rate', rate: 0.3 });
    expect(decisions(c, 40)).toBe(first);
  });

  it('keeps a second fault of another type on its own stream: it does not shift the first one\'s decisions', () => {
    const alone = controller(5);
    alone.apply({ type: 'error-rate', rate: 0.5 });
    const expected = decisions(alone, 50);

    const both = controller(5);
    both.apply({ type: 'error-rate', rate: 0.5 });
    both.apply({ type: 'latency', rate: 0.5 }); // newer, so asked first, and refusing: it must not hide the first's draws
    let seen = '';
    let latencyHits = 0;
    for (let i = 0; i < 50; i++) {
      const faults = both.sample();
      seen += faults.some((f) => f.type === 'error-rate') ? 'x' : '.';
      if (both.consult(faults, 'refuse', 'r') === 'latency') latencyHits++;
    }
    expect(seen).toBe(expected);
    expect(latencyHits).toBeGreaterThan(0);
    expect(latencyHits).toBeLessThan(50);
  });

  it('narrows by target: without one a fault applies to every target, with one only there, and others draw nothing from it', () => {
    const c = controller(9);
    c.apply({ type: 'down' });
    expect(c.sample('infura')).toHaveLength(1);
    expect(c.sample('alchemy')).toHaveLength(1);
    expect(c.sample()).toHaveLength(1);

    const narrowed = controller(9);
    narrowed.apply({ type: 'error-rate', target: 'infura', rate: 0.5 });
    let seen = '';
    for (let i = 0; i < 30; i++) {
      expect(narrowed.sample('alchemy')).toEqual([]); // interleaved, and not drawing
      seen += narrowed.sample('infura').length ? 'x' : '.';
    }
    const alone = controller(9);
    alone.apply({ type: 'error-rate', target: 'infura', rate: 0.5 });
    expect(seen).toBe(decisions(alone, 30, 'infura'));
  });

  it('narrows by methods where the family has them: per request (any call) and per call', () => {
    const c = new FaultController('rpc', { 'error-rate': errorRate(rpcLike) }, 1);
    const fault = c.apply({ type: 'error-rate', methods: ['eth_call'] });
    expect(fault.params).toEqual({ status: 500, rate: 1, methods: ['eth_call'] });
    expect(c.sample('infura', [{ method: 'eth_blockNumber' }])).toEqual([]);
    const batch = c.sample('infura', [{ method: 'eth_blockNumber' }, { method: 'eth_call' }]);
    expect(ids(batch)).toEqual(['f1']);
    expect(c.consult(batch, 'refuse', 'call', 'eth_blockNumber')).toBeUndefined();
    expect(c.consult(batch, 'refuse', 'call', 'eth_call')).toBe('error-rate f1');
    c.apply({ type: 'error-rate' }); // no methods: every call
    expect(c.sample('infura', [{ method: 'eth_blockNumber' }]).map((f) => f.id)).toEqual(['f2']);
  });

  it('asks faults newest applied first; the first that acts decides, and only it counts a hit', () => {
    const c = controller();
    c.apply({ type: 'error-rate' });
    c.apply({ type: 'down' });
    const faults = c.sample();
    expect(ids(faults)).toEqual(['f2', 'f1']);
    expect(c.consult(faults, 'refuse', 'r')).toBe('down');
    expect(c.stats().faults).toEqual({ f1: { type: 'error-rate', hits: 0 }, f2: { type: 'down', hits: 1 } });
  });

  it('merges shaping hooks field by field, the newest fault first, counting hits of those that set a field', () => {
    const shaping = (type: string, shape: { a?: string; b?: string }) => define(plain, { type, description: type, params: z.strictObject({}), shape: () => shape });
    const c = new FaultController('test', { older: shaping('older', { a: 'old', b: 'old' }), newer: shaping('newer', { a: 'new' }), hidden: shaping('hidden', { a: 'hidden' }) }, 1);
    c.apply({ type: 'hidden' });
    c.apply({ type: 'older' });
    c.apply({ type: 'newer' });
    expect(c.merge(c.sample(), 'shape', 'r', {})).toEqual({ a: 'new', b: 'old' });
    expect(c.stats().faults).toEqual({ f1: { type: 'hidden', hits: 0 }, f2: { type: 'older', hits: 1 }, f3: { type: 'newer', hits: 1 } });
  });

  it('gives a fault the state its definition makes, at apply, and drops it at clear', () => {
    let made = 0;
    const counting = define(plain, {
      type: 'counting',
      description: 'counts the requests it sees',
      params: z.strictObject({}),
      state: () => ({ serial: ++made, seen: 0 }),
      refuse: (_input, fault) => `${fault.state.serial}:${++fault.state.seen}`,
    });
    const c = new FaultController('test', { counting }, 1);
    const { id } = c.apply({ type: 'counting' });
    expect([c.consult(c.sample(), 'refuse', 'r'), c.consult(c.sample(), 'refuse', 'r')]).toEqual(['1:1', '1:2']);
    c.clear(id);
    c.apply({ type: 'counting' });
    expect(c.consult(c.sample(), 'refuse', 'r')).toBe('2:1'); // a fresh state, not the cleared fault's
  });

  it('allocates nothing for a request while no fault is applied', () => {
    const c = controller();
    expect(c.sample('infura')).toBe(c.sample('alchemy'));
    expect(c.sample('infura', [{ method: 'eth_call' }])).toHaveLength(0);
  });
});

describe('defineFault', () => {
  it('adds rate to a sampled fault, methods where the family has them, and keeps the file\'s refinements', () => {
    const refined = defineFault(rpcLike, {
      type: 'error-rate',
      description: 'd',
      params: z.strictObject({ status: z.number().optional(), code: z.number().optional() }).refine((p) => p.status !== undefined || p.code !== undefined, { message: 'status or code', path: ['status'] }),
    });
    expect(refined.params.safeParse({ status: 503 }).data).toEqual({ status: 503, rate: 1 });
    expect(refined.params.safeParse({ code: 1, rate: 0.2, methods: ['eth_call'] }).success).toBe(true);
    expect(refined.params.safeParse({ rate: 0.2 }).error?.issues[0]).toMatchObject({ path: ['status'], message: 'status or code' });
    expect(refined.params.safeParse({ status: 1, methods: [] }).error?.issues[0]?.path).toEqual(['methods']);
    expect(refined.sampled).toBe(true);
    expect(down.params.safeParse({}).data).toEqual({});
  });
});

describe('FaultController streams', () => {
  it('keeps named streams independent, and reset rewinds every one of them to its seeded start', () => {
    const c = controller();
    const ids = c.stream('ids');
    const first = [ids.next(), ids.next(), ids.next()];
    const latency = c.stream('latency').next();
    expect(new Set(first).size).toBe(3);
    expect(first).not.toContain(latency);
    // Drawing from another stream did not shift this one: a fresh controller's 'ids' gives the same.
    const fresh = controller().stream('ids');
    expect([fresh.next(), fresh.next(), fresh.next()]).toEqual(first);
    c.reset();
    expect([ids.next(), ids.next(), ids.next()]).toEqual(first); // the handle taken before the reset rewinds too
    expect(controller(43).stream('ids').next()).not.toBe(first[0]);
  });
});

describe('seededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => { const r = seededRandom(seed); return Array.from({ length: 5 }, () => r.next()); };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
});
