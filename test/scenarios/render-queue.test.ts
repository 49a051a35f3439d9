import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('render-queue', {
  services: { postgres: true, redis: { proxies: ['worker'] }, anvil: true },
  mitigation: 'admission-control',
  failure: /threshold probe:bullmq\.waiting\{queue=render\} max<20 failed/,
  onPass: ({ result }) => {
    // The queue filled while the worker was away: the API turned clients away, and they came back no sooner than told.
    expect(result.invariants).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'render_clients_honour_retry_after', ok: true })]));
    expect(result.invariants.find((i) => i.name === 'render_clients_honour_retry_after')!.detail).toMatch(/^[1-9]\d* request\(s\) answered 429/);
  },
});
