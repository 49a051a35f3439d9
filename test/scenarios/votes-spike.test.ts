import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('votes-spike', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'idempotency',
  failure: /invariant every vote counted once/,
  onPass: ({ result }) => {
    // The fault did its work: answers passed the deadline and clients retried, and still each vote counted once.
    const spike = result.phases.find((p) => p.name === 'spike')!;
    const baseline = result.phases.find((p) => p.name === 'baseline')!;
    expect(spike.requests).toBeGreaterThan(baseline.requests * 3);
    expect(result.invariants.every((i) => i.ok)).toBe(true);
    expect(result.thresholds.find((t) => t.metric === 'votes_rate_limited')).toMatchObject({ ok: true });
  },
});
