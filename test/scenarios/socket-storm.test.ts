import { expect } from 'vitest';
import { referenceApp } from '../../examples/reference-app/service.ts';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('socket-storm', {
  services: { postgres: true, redis: true, anvil: true },
  appsInEnvironment: (mitigations) => ({ app: referenceApp({ mitigations }), app2: referenceApp({ mitigations, publisher: false }) }),
  mitigation: 'socket-recovery',
  failure: /invariant every posted message reached every listener exactly once: \d+ posted × 20 listeners/,
  onPass: ({ result }) => {
    expect(result.invariants).toEqual([{ name: 'every posted message reached every listener exactly once', ok: true, detail: expect.stringMatching(/^\d+ posted × 20 listeners = \d+ deliveries expected; \d+ received, 0 twice$/) }]);
    // The writers' rate rose, and the listeners' node really was cut off and came back.
    const writers = result.load!.groups.find((g) => g.group === 'writers')!;
    expect(writers.phases.find((p) => p.phase === 'storm2')!.plannedRate).toBeGreaterThan(writers.phases.find((p) => p.phase === 'storm')!.plannedRate!);
    expect(result.timeline.map((e) => `${e.action} ${e.fault} ${e.ok}`)).toEqual(['apply listeners-cut-off true', 'revert listeners-cut-off true']);
  },
});
