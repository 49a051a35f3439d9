import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('frame-claim-storm', {
  services: { postgres: true, redis: true, anvil: true, farcaster: true },
  mitigation: 'idempotency',
  failure: /invariant (wallet_claims_gift_once|claim_paid_exactly_once|gift_not_over_claimed)/,
});
