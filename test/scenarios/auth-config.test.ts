import { expect } from 'vitest';
import { describeScenarioPair } from '../support/scenario-pair.ts';

describeScenarioPair('auth-config', {
  services: { postgres: true, redis: true, anvil: true },
  mitigation: 'auth-cache-fallback',
  failure: /threshold http_req_failed\{phase:fault\} rate<0\.001 failed/,
  onPass: ({ result }) => {
    const threshold = (metric: string) => result.thresholds.find((t) => t.metric === metric);
    // The report splits the two endpoints, and the caches carried the steady phase before the fault took them away.
    expect(threshold('http_req_duration{name:me}')).toMatchObject({ ok: true });
    expect(threshold('http_req_duration{name:config}')).toMatchObject({ ok: true });
    expect(threshold('auth_session_hit{phase:steady}')).toMatchObject({ ok: true });
    expect(threshold('http_req_duration{phase:fault}')).toMatchObject({ ok: true });
    expect(result.phases.find((p) => p.name === 'fault')!.requests).toBeGreaterThan(100);
  },
});
