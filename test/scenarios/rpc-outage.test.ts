import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('rpc-outage', {
  services: { postgres: true, redis: true, anvil: true, rpc: true },
  mitigation: 'rpc-fallback',
  failure: /threshold http_req_failed\{phase:fault\}/,
});
