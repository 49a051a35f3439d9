import { defineScenario } from 'faultline';

/**
 * The load-test plan for LLM chat: `requests` chats by `concurrency` users against
 * POST /api/chat, judged on success rate, p95 total and p95 first token per profile
 * (smoke 20 × 2, baseline 100 × 10, stress 300 × 30). No faults: replay an incident
 * timeline with --timeline to see the same numbers under one.
 */
export default defineScenario({
  name: 'chat-llm',
  description: 'LLM chat under the smoke / baseline / stress profiles: success rate, p95 total and p95 first token',
  services: { postgres: true, redis: true, anvil: true, llm: true, app: true },
  // The config runs two app instances (app, app2): this load goes to the first.
  target: { service: 'app' },
  load: { script: './load.js', executor: 'iterations', streaming: true, env: { CHAT_PREFIX: 'chat-llm' } },
  phases: [{ name: 'load', duration: '60s' }],
});
