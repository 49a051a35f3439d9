import { expect } from 'vitest';
import { referenceApp } from '../../examples/reference-app/service.ts';
import { describeScenarioPair } from '../support/scenario-pair.ts';

// Fast heartbeats, so a frozen node's clients notice within three seconds (and a busy k6 still answers in time).
const env = { PING_INTERVAL: '1000', PING_TIMEOUT: '2000' };

describeScenarioPair('ws-fanout', {
  services: { postgres: true, redis: { proxies: ['adapter'] }, anvil: true },
  appsInEnvironment: (mitigations) => ({ app: referenceApp({ mitigations, env }), app2: referenceApp({ mitigations, env, publisher: false }) }),
  mitigation: 'socket-recovery',
  failure: /threshold faultline_ws_dropped\{phase:node-pause\} rate<0\.005 failed/,
  onPass: ({ result }) => {
    expect(result.timeline.map((e) => `${e.action} ${e.fault} ${e.ok}`)).toEqual(['apply adapter-cut true', 'revert adapter-cut true', 'apply app2-frozen true', 'revert app2-frozen true']);
    // Every phase delivered events, and the frozen node's clients came back.
    for (const phase of result.phases) expect(phase.ws!.messages, phase.name).toBeGreaterThan(200);
    expect(result.thresholds.find((t) => t.metric === 'faultline_ws_reconnect_time')!.observed).toBeGreaterThan(0);
  },
});
