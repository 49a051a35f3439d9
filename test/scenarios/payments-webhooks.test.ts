import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('payments-webhooks', {
  services: { postgres: true, redis: true, anvil: true, payments: true },
  mitigation: 'webhook-dedup',
  failure: /invariant payments_credited_once: GET \/internal\/payments\/invariants\/credited-once → HTTP 409, expected 200/,
  onPass: ({ result }) => {
    // Every provider fault was in force in its phase.
    expect(result.timeline.filter((e) => e.layer === 'http' && e.action === 'apply' && e.ok)).toHaveLength(6);
    expect(result.phases.find((p) => p.name === 'provider-5xx')!.requests).toBeGreaterThan(3);
  },
});
