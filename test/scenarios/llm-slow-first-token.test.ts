import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('llm-slow-first-token', {
  services: { postgres: true, redis: true, anvil: true, llm: true },
  mitigation: 'llm-breaker',
  failure: /threshold http_req_duration\{phase:slow\}/,
});
