import { presets } from '../../toxics/index.ts';
import type { ScheduledFault } from '../scenario.ts';
import type { Manifest } from './manifests.ts';

/** How one of the scenario's faults carries over to a cluster. */
export interface CarryOver {
  fault: ScheduledFault;
  layer: string;
  /** The Chaos Mesh action written for it, or why there is none. */
  chaosMesh?: { kind: 'NetworkChaos' | 'PodChaos'; spec: Record<string, unknown> };
  note: string;
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;

/**
 * Each fault of the timeline against a cluster: the network faults have Chaos Mesh
 * equivalents (NetworkChaos delay / partition / loss / bandwidth, on the pods the
 * selector picks), kill-restart is a PodChaos pod-kill; the rest (the mocks' http faults,
 * Anvil's chain faults, Toxiproxy's byte-level toxics, SIGSTOP) do not carry over.
 */
export function carryOver(faults: ScheduledFault[], namespace: string): CarryOver[] {
  return faults.map((fault) => {
    const layer = presets[fault.fault]?.layer ?? 'unknown';
    const params = (fault.params ?? {}) as Record<string, number>;
    const selector = { namespaces: [namespace], labelSelectors: { app: fault.target } };
    const network = (spec: Record<string, unknown>, note: string): CarryOver => ({ fault, layer, chaosMesh: { kind: 'NetworkChaos', spec: { mode: 'all', selector, direction: 'both', ...spec } }, note });
    switch (fault.fault) {
      case 'latency':
        return network({ action: 'delay', delay: { latency: `${params.latency}ms`, jitter: `${params.jitter ?? 0}ms` } }, 'NetworkChaos delay: the same latency and jitter, on every packet (Toxiproxy: per connection stream)');
      case 'down':
        return network({ action: 'partition' }, 'NetworkChaos partition: packets dropped, so connections time out (Toxiproxy: refused at once)');
      case 'timeout':
        return network({ action: 'loss', loss: { loss: '100' } }, 'NetworkChaos loss 100%: nothing gets through (Toxiproxy closes after `timeout` ms; here it hangs)');
      case 'bandwidth':
        return network({ action: 'bandwidth', bandwidth: { rate: `${params.rate}kbps`, limit: 20_971_520, buffer: 10_000 } }, 'NetworkChaos bandwidth: the same KB/s (tc "kbps" is kilobytes per second)');
      case 'kill-restart':
        return { fault, layer, chaosMesh: { kind: 'PodChaos', spec: { action: 'pod-kill', mode: 'one', selector } }, note: 'PodChaos pod-kill: the pod is killed and its controller starts a new one' };
      default:
        return { fault, layer, note: notCarried(layer, fault.fault) };
    }
  });
}

function notCarried(layer: string, fault: string): string {
  if (layer === 'http') return "not carried over: a mock's control API fault; in a cluster the app calls the real provider (Chaos Mesh HTTPChaos can abort or delay requests to an in-cluster service)";
  if (layer === 'chain') return 'not carried over: an Anvil fault; a cluster has no local chain under Faultline';
  if (fault === 'pause') return 'not carried over: SIGSTOP of a local process (PodChaos pod-failure is the nearest: the pod stops answering)';
  return `not carried over: ${fault} is a Toxiproxy toxic with no Chaos Mesh equivalent; run Toxiproxy as a sidecar (README) to keep it`;
}

/**
 * A Chaos Mesh Workflow that plays the faults that carry over on the scenario's schedule:
 * one branch per fault, in parallel, each a Suspend until its start and then the chaos
 * with its duration as deadline. Undefined when no fault carries over.
 */
export function chaosMeshWorkflow(name: string, namespace: string, durationMs: number, items: CarryOver[]): Manifest | undefined {
  const carried = items.filter((c) => c.chaosMesh);
  if (carried.length === 0) return undefined;
  const templates: Array<Record<string, unknown>> = [{ name: 'timeline', templateType: 'Parallel', children: carried.map((_, i) => `fault-${i}`) }];
  carried.forEach((c, i) => {
    const { kind, spec } = c.chaosMesh!;
    const field = kind === 'NetworkChaos' ? 'networkChaos' : 'podChaos';
    const lasting = c.fault.durationMs ?? durationMs - c.fault.atMs;
    const chaos = { name: `fault-${i}-chaos`, templateType: kind, deadline: seconds(lasting), [field]: spec };
    const wait = c.fault.atMs > 0 ? [{ name: `fault-${i}-wait`, templateType: 'Suspend', deadline: seconds(c.fault.atMs) }] : [];
    templates.push({ name: `fault-${i}`, templateType: 'Serial', children: [...wait.map((w) => w.name), chaos.name] }, ...wait, chaos);
  });
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'Workflow',
    metadata: { name: `${name}-faults`, namespace, labels: { 'app.kubernetes.io/managed-by': 'faultline' } },
    spec: { entry: 'timeline', templates },
  };
}
