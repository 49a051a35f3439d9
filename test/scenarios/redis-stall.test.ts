import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('redis-stall', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'cache-fallback',
  failure: /threshold http_req_(failed|duration)\{phase:fault\}/,
  onPass: ({ result }) => {
    // The process layer really acted: the timeline froze and thawed Redis on schedule.
    const events = result.timeline.filter((e) => e.fault === 'redis-frozen');
    expect(events.map((e) => [e.action, e.ok])).toEqual([
      ['apply', true],
      ['revert', true],
    ]);
  },
});
