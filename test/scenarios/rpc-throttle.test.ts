import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('rpc-throttle', {
  services: { postgres: true, redis: true, anvil: true, rpc: true },
  mitigation: 'rpc-fallback',
  failure: /threshold http_req_failed\{phase:fault\}/,
  onPass: ({ result }) => {
    expect(result.invariants.map((i) => [i.name, i.ok])).toEqual([
      ['claim_paid_exactly_once', true],
      ['gift_not_over_claimed', true],
      ['wallet_claims_gift_once', true],
      ['token_balances_match_ledger', true],
    ]);
    expect(result.timeline.map((e) => `${e.action} ${e.fault} ${e.ok}`)).toEqual(['apply infura-throttled true', 'revert infura-throttled true']);
  },
});
