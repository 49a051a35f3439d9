import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('redis-outage', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'cache-fallback',
  failure: /threshold http_req_(failed|duration)\{phase:fault\}/,
});
