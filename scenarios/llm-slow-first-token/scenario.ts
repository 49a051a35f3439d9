import { defineScenario } from 'faultline';

/**
 * The LLM's first token slows to 8 s, then it answers 503 "overloaded". With llm-breaker
 * the app gives up on the first token after its deadline and answers a quick 503 with
 * Retry-After (and its breaker opens on repeated failures, then closes again once the LLM
 * is back); without it callers hang for the whole slow first token.
 */
export default defineScenario({
  name: 'llm-slow-first-token',
  description: 'LLM first token slows to 8 s, then 503s arrive; callers must get a quick answer, never a hung stream',
  services: { postgres: true, redis: true, anvil: true, llm: true, app: true },
  // The config runs two app instances (app, app2): this load goes to the first.
  target: { service: 'app' },
  load: { script: './load.js', streaming: true, env: { CHAT_PREFIX: 'llm-slow', CHAT_TIMEOUT: '20s' }, profiles: { smoke: { rps: 2, concurrency: 12 }, baseline: { rps: 5, concurrency: 30 }, stress: { rps: 10, concurrency: 60 } } },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'slow', duration: '8s' },
    { name: 'overloaded', duration: '4s' },
    // The app's breaker stays open 3 s after the last failure, then lets a trial through.
    { name: 'recovery', duration: '14s' },
  ],
  faults: [
    { name: 'llm-slow-first-token', fault: 'http', target: 'llm', at: 'slow', params: { type: 'slow-first-token', ttft: { kind: 'fixed', ms: 8000 } } },
    { name: 'llm-overloaded', fault: 'http', target: 'llm', at: 'overloaded', params: { type: 'overloaded' } },
  ],
  assertions: {
    // Failing fast is the mitigation: errors are expected in the fault phases (and while the
    // breaker cools down), slowness is not; recovery is judged by its bound.
    profileThresholds: ['baseline'],
    thresholds: {
      'http_req_duration{phase:slow}': ['p(95)<6500'],
      'http_req_duration{phase:overloaded}': ['p(95)<2000'],
    },
    recovery: { bound: '8s' },
  },
});
