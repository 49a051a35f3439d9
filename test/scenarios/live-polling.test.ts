import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('live-polling', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'cache-fallback',
  failure: /threshold http_req_duration\{phase:fault,name:live\} p\(95\)<150 failed/,
  onPass: ({ result }) => {
    // The fault really slowed the cache: the app fell back within its budget.
    const fault = result.phases.find((p) => p.name === 'fault')!;
    expect(fault.requests).toBeGreaterThan(30);
    expect(result.thresholds.find((t) => t.metric === 'live_staleness')).toMatchObject({ ok: true });
    expect(result.load!.groups[0]).toMatchObject({ group: 'pollers', dropped: 0 });
  },
});
