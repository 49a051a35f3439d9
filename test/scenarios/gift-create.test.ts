import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('gift-create', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'idempotency',
  failure: /invariant (wallet_claims_gift_once|claim_paid_exactly_once)/,
  onPass: ({ result }) => {
    // Both groups ran through the fault, and forged tokens were refused.
    expect(result.load!.groups.map((g) => g.group).sort()).toEqual(['claimers', 'creators']);
    expect(result.thresholds.find((t) => t.metric === 'gift_forged_refused')).toMatchObject({ ok: true });
  },
});
