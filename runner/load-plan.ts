import type { K6Plan } from './k6-driver.ts';
import type { ShapedGroup } from './load-shape.ts';

/**
 * The groups as the k6 helper reads them from the plan: the k6 scenarios, and per group its
 * connections, VUs and targets, a target named by service resolved to that service's proxied
 * URL. With --target (an app run elsewhere) a service the environment does not run is the target.
 */
export function k6LoadPlan(groups: ShapedGroup[], services: Record<string, { url: string }>, target: string): Pick<K6Plan, 'scenarios' | 'groups'> {
  const url = (t: string) => (/^(https?|wss?):\/\//.test(t) ? t : (services[t]?.url ?? target));
  return {
    scenarios: Object.fromEntries(groups.map((g) => [g.name, g.k6])),
    groups: Object.fromEntries(groups.map((g) => [g.name, { vus: g.vus, targets: g.targets ? [...new Set(g.targets.map(url))] : [target], ...(g.connections !== undefined ? { connections: g.connections } : {}) }])),
  };
}
