import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('chat-rooms', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'cache-fallback',
  failure: /threshold http_req_duration\{name:read,phase:fault\} p\(95\)<300 failed/,
  onPass: ({ result }) => {
    const threshold = (metric: string) => result.thresholds.find((t) => t.metric === metric);
    // Both kinds of read were seen and judged, and the cache carried the peak.
    expect(threshold('chat_read_duration{cache:hit}')).toMatchObject({ ok: true });
    expect(threshold('chat_read_duration{cache:miss}')).toMatchObject({ ok: true });
    expect(threshold('chat_cache_hit{phase:peak}')).toMatchObject({ ok: true });
    expect(threshold('probe:bullmq.waiting{queue=chat-rooms,phase:ramp-down}')).toMatchObject({ ok: true, source: 'probe' });
    // The flooder was limited and nobody else was.
    expect(threshold('chat_flood_limited')).toMatchObject({ ok: true });
    expect(threshold('chat_post_limited')).toMatchObject({ ok: true });
    expect(result.phases.find((p) => p.name === 'fault')!.requests).toBeGreaterThan(50);
  },
});
