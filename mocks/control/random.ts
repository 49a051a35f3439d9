import { z } from 'zod';

/** A seeded pseudo-random stream: the same seed and the same calls give the same numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, max). */
  int(max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** An independent stream derived from this seed and a label (e.g. one per route). */
  fork(label: string): Random;
}

/** sfc32 seeded through splitmix32: small, fast, and good enough for fault sampling. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  const random: Random = {
    next,
    int: (max) => Math.floor(next() * max),
    chance: (p) => p > 0 && next() < p,
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    fork: (label) => seededRandom(hash(`${seed}:${label}`)),
  };
  return random;
}

/** FNV-1a, 32 bit: turns a seed and a label into the seed of a derived stream. */
export function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A delay distribution in milliseconds, as written in fault params and mock options. */
export const distributionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms: z.number().min(0) }),
  z.strictObject({ kind: z.literal('uniform'), minMs: z.number().min(0), maxMs: z.number().min(0) }),
  // Real latencies are long-tailed: median and sigma of the underlying normal.
  z.strictObject({ kind: z.literal('lognormal'), medianMs: z.number().min(0), sigma: z.number().min(0).max(5) }),
]);
export type Distribution = z.infer<typeof distributionSchema>;

/** Draws one delay (ms, never negative) from a distribution. */
export function sample(distribution: Distribution, random: Random): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return distribution.minMs + random.next() * Math.max(0, distribution.maxMs - distribution.minMs);
    case 'lognormal':
      return distribution.medianMs * Math.exp(distribution.sigma * random.normal());
  }
}
