import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('db-latency', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'idempotency',
  failure: /invariant (wallet_claims_gift_once|claim_paid_exactly_once)/,
});
