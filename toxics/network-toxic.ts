import { z } from 'zod';
import { definePreset, type FaultPreset, proxyTarget } from './fault.ts';
import { addToxic } from './toxiproxy-api.ts';

/** Parameters every Toxiproxy toxic accepts besides its own attributes. */
export const toxicCommon = {
  /** Which direction: downstream (server → client, the default) or upstream. */
  stream: z.enum(['upstream', 'downstream']).optional(),
  /** Share of connections affected, decided once per connection (not per request). */
  toxicity: z.number().min(0).max(1).optional(),
};

/**
 * Builds a network preset for one Toxiproxy toxic type. `target` is the proxy name
 * (the service name, or e.g. `rpc-infura`).
 */
export function toxicPreset<S extends z.ZodRawShape>(name: string, toxicType: string, description: string, shape: S): FaultPreset {
  const params = z.strictObject({ ...shape, ...toxicCommon });
  return definePreset({
    name,
    layer: 'network',
    description,
    params,
    validate: proxyTarget,
    async apply(ctx, target, p: Record<string, unknown>) {
      const { stream, toxicity, ...attributes } = p as { stream?: 'upstream' | 'downstream'; toxicity?: number } & Record<string, number>;
      const toxic = await addToxic(ctx.toxiproxyUrl, target, toxicType, attributes as Record<string, number>, { stream, toxicity });
      return { revert: toxic.remove, detail: toxic.name };
    },
  });
}
