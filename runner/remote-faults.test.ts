import { describe, expect, it } from 'vitest';
import { RemoteFaultsRefusedError, faultsForTarget } from './remote-faults.ts';
import { resolveScenario } from './scenario.ts';

const scenario = resolveScenario({
  name: 'outage',
  description: 'x',
  services: ['redis'],
  load: { script: './load.js' },
  phases: [{ name: 'a', duration: '1s' }],
  faults: [{ fault: 'down', target: 'redis', at: 'a' }],
});

describe('faults against a target on another machine', () => {
  it("are refused, saying why and what to pass, unless the target's dependencies are proxied here", () => {
    expect(() => faultsForTarget(scenario, 'https://shop.example.com', {})).toThrow(RemoteFaultsRefusedError);
    expect(() => faultsForTarget(scenario, 'https://shop.example.com', {})).toThrow(/plays 1 fault\(s\) \(down@redis\).*Pass --no-faults.*--dependencies-proxied-here/s);
    expect(faultsForTarget(scenario, 'https://shop.example.com', { dependenciesProxied: true }).faults).toHaveLength(1);
  });

  it('play as usual on a local target, and not at all with --no-faults', () => {
    expect(faultsForTarget(scenario, 'http://127.0.0.1:3000', {}).faults).toHaveLength(1);
    expect(faultsForTarget(scenario, undefined, {}).faults).toHaveLength(1);
    expect(faultsForTarget(scenario, 'https://shop.example.com', { skipFaults: true }).faults).toEqual([]);
  });
});
