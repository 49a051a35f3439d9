import { z } from 'zod';
import { MockControl } from '../../mocks/control/client.ts';
import { definePreset, environmentOf, FaultError } from '../fault.ts';

/** A mock reverts a fault on its own this long after the timeline meant to, should the runner die mid-run. */
const TTL_MARGIN_MS = 30_000;

/**
 * A fault of a simulated third party, applied through its control API (`/__faultline/faults`)
 * on the *direct* URL, since its proxy may be down. `params` is the mock's FaultSpec:
 * `{ type: 'throttle', target: 'infura', rate: 1, ... }`, checked against the faults that
 * mock declares before anything starts.
 * @example { fault: 'http', target: 'rpc', at: 'fault', params: { type: 'throttle', target: 'infura', legacy: true } }
 */
export default definePreset({
  name: 'http',
  layer: 'http',
  description: "a mock's own fault (rate limits, error rates, slow first token, malformed bodies) via its control API",
  params: z.looseObject({
    type: z.string().min(1).describe('the mock fault type, e.g. throttle, error-rate, slow-first-token'),
    target: z.string().min(1).optional().describe('narrows the fault inside the mock, e.g. an RPC provider'),
  }),
  validate(service, params, { services }) {
    const mocks = Object.entries(services).filter(([, s]) => s.faults).map(([name]) => name);
    const known = services[service]?.faults;
    if (!known) return [['target', `expected a simulated third party with a control API (${mocks.join(', ') || 'none in this environment'}), not "${service}"`]];
    const { type, target: _target, ...rest } = params as Record<string, unknown>;
    const definition = typeof type === 'string' && Object.hasOwn(known, type) ? known[type] : undefined;
    if (!definition) return [['params.type', `unknown ${service} fault "${String(type)}"; known: ${Object.keys(known).join(', ')}`]];
    const parsed = definition.params.safeParse(rest);
    return parsed.success ? [] : parsed.error.issues.map((i) => [['params', ...i.path].join('.'), i.message] as [string, string]);
  },
  async apply(ctx, service, params, info) {
    const started = environmentOf(ctx, 'http').services[service];
    if (!started) throw new FaultError(`http fault: no service "${service}" in the environment`);
    const control = new MockControl(started.directUrl);
    const ttlMs = info.durationMs === undefined ? undefined : info.durationMs + TTL_MARGIN_MS;
    const active = await control.apply({ ...params, ...(ttlMs ? { ttlMs } : {}) });
    return {
      detail: `${service} fault ${active.id}`,
      revert: async () => {
        try {
          await control.clear(active.id);
        } catch (error) {
          // Already gone (expired, or the mock was reset): nothing left to revert.
          if ((error as { status?: number }).status !== 404) throw error;
        }
      },
    };
  },
});
