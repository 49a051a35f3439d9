import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('streamer-listing', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'cache-fallback',
  failure: /threshold http_req_duration\{name:streamers,phase:fault\} p\(95\)<150 failed/,
  onPass: ({ result }) => {
    // The cache carried the steady phase, judged by the Redis probe.
    expect(result.thresholds.find((t) => t.metric === 'probe:redis.hit_ratio{phase:steady}')).toMatchObject({ ok: true, source: 'probe' });
    expect(result.phases.find((p) => p.name === 'fault')!.requests).toBeGreaterThan(20);
  },
});
