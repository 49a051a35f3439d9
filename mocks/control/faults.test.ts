import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ControlError, defineFault, FaultController, faultRate } from './faults.ts';
import { seededRandom } from './random.ts';

const errorRate = defineFault({
  type: 'error-rate',
  description: 'answer some requests with an error',
  params: z.strictObject({ rate: faultRate, status: z.number().int().default(500) }),
});

const controller = () => new FaultController('test', [errorRate], 42, { targets: ['infura', 'alchemy'] });

describe('FaultController', () => {
  it('applies a valid fault with defaults filled in and finds it by type and target', () => {
    const c = controller();
    const fault = c.apply({ type: 'error-rate', target: 'infura', rate: 0.5 });
    expect(fault).toMatchObject({ id: 'f1', type: 'error-rate', target: 'infura', params: { rate: 0.5, status: 500 } });
    expect(c.find('error-rate', 'infura')?.id).toBe('f1');
    expect(c.find('error-rate', 'alchemy')).toBeUndefined();
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
    expect(field({ type: 'error-rate', target: 'quicknode', rate: 1 })).toBe('target');
    expect(field({ type: 'error-rate', rate: 1, ttlMs: -5 })).toBe('ttlMs');
    expect(field({ type: 'error-rate', rate: 2 })).toBe('rate');
    expect(field({ type: 'error-rate', rate: 1, extra: true })).toBe('(params)');
    expect(c.list()).toEqual([]);
  });

  it('reverts a fault by itself after its ttl', async () => {
    const c = controller();
    c.apply({ type: 'error-rate', rate: 1, ttlMs: 30 });
    expect(c.list()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(c.list()).toHaveLength(0);
  });

  it('counts requests and hits in its stats, and reset clears both', () => {
    const c = controller();
    const fault = c.apply({ type: 'error-rate', rate: 1 });
    c.countRequest('POST /');
    c.countRequest('POST /');
    c.hit(fault);
    expect(c.stats()).toEqual({ requests: { 'POST /': 2 }, faults: { f1: { type: 'error-rate', hits: 1 } } });
    c.reset();
    expect(c.stats()).toEqual({ requests: {}, faults: {} });
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
    expect(new FaultController('test', [errorRate], 43).stream('ids').next()).not.toBe(first[0]);
  });
});

describe('seededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => { const r = seededRandom(seed); return Array.from({ length: 5 }, () => r.next()); };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
});
