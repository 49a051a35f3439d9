import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('embed-widget', {
  services: { postgres: true, redis: { proxies: ['nonce'] }, anvil: true },
  mitigation: 'nonce-single-use',
  failure: /invariant embed_nonce_single_use: GET \/internal\/embed\/nonces → HTTP 409, expected 200/,
  onPass: ({ result }) => {
    // The nonce store really was slow, and the ramp reached its last phase.
    expect(result.timeline.filter((e) => e.fault === 'nonce-store-slow' && e.ok)).toHaveLength(2);
    expect(result.phases.find((p) => p.name === 'to-10k')!.requests).toBeGreaterThan(20);
  },
});
