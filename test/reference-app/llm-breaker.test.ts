import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../examples/reference-app/src/app.ts';
import type { Environment } from '../../env/environment.ts';
import { MockControl } from '../../mocks/control/client.ts';
import { testEnvironment } from '../support/environment.ts';
import { startTestApp, userClient } from './app.ts';

// Short deadlines keep the suite fast; the defaults are 5 s for the first token and 3 s between chunks.
const TIMEOUTS = { LLM_FIRST_TOKEN_TIMEOUT_MS: '1000', LLM_IDLE_TIMEOUT_MS: '1000' };
let env: Environment;
let guarded: App;
let naive: App;
let control: MockControl;

beforeAll(async () => {
  env = await testEnvironment({ services: { postgres: true, redis: true, anvil: true, llm: true } });
  control = new MockControl(new URL(env.env.LLM_DIRECT_URL!).origin);
  guarded = await startTestApp(env, 'all', TIMEOUTS);
  naive = await startTestApp(env, '-llm-breaker', TIMEOUTS);
});

afterAll(async () => {
  await guarded?.close();
  await naive?.close();
  await env?.stop();
});

/** POST /api/chat and read the whole answer; rejects when the caller's own deadline passes first. */
async function chat(app: App, user: string, timeoutMs = 10_000) {
  const { token } = await userClient(app, user);
  const started = performance.now();
  const response = await fetch(`${app.url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say something about red packets.' }] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), text, ms: performance.now() - started };
}

const upstreamRequests = async () => Object.values((await control.stats()).requests).reduce((a, b) => a + b, 0);

async function withFault<T>(spec: { type: string; [k: string]: unknown }, fn: () => Promise<T>): Promise<T> {
  const fault = await control.apply(spec);
  try {
    return await fn();
  } finally {
    await control.clear(fault.id);
  }
}

describe('reference app mitigation: llm-breaker', () => {
  it('streams the completion to the caller as server-sent events', async () => {
    const answer = await chat(guarded, 'llm-happy');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/event-stream');
    expect(answer.text).toMatch(/^data: \{"delta":"/);
    expect(answer.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('ends a stalled stream with an error event with it, and leaves the caller hanging without it', async () => {
    await withFault({ type: 'stall' }, async () => {
      const withIt = await chat(guarded, 'llm-stall-on');
      expect(withIt.status).toBe(200);
      expect(withIt.text).toContain('event: error');
      expect(withIt.text).toContain('llm_interrupted');
      expect(withIt.ms).toBeLessThan(4_000);
      await expect(chat(naive, 'llm-stall-off', 4_000)).rejects.toThrow(/aborted|timeout/i);
    });
  });

  it('answers 503 when the first token does not come in time with it, and hangs without it', async () => {
    await withFault({ type: 'slow-first-token', ttft: { kind: 'fixed', ms: 20_000 } }, async () => {
      const withIt = await chat(guarded, 'llm-slow-on');
      expect(withIt.status).toBe(503);
      expect(JSON.parse(withIt.text).error.code).toBe('llm_unavailable');
      expect(withIt.ms).toBeLessThan(3_000);
      await expect(chat(naive, 'llm-slow-off', 4_000)).rejects.toThrow(/aborted|timeout/i);
    });
  });

  it('stops calling an overloaded LLM once the breaker opens with it; without it every call goes through and fails', async () => {
    await withFault({ type: 'overloaded' }, async () => {
      const before = await upstreamRequests();
      const withIt = [];
      for (let i = 0; i < 8; i++) withIt.push(await chat(guarded, `llm-503-on-${i}`));
      const reachedWith = (await upstreamRequests()) - before;
      expect(withIt.map((r) => r.status)).toEqual(Array(8).fill(503));
      expect(JSON.parse(withIt.at(-1)!.text).error.message).toMatch(/circuit open/);
      expect(reachedWith).toBeLessThan(8);

      const middle = await upstreamRequests();
      const without = [];
      for (let i = 0; i < 8; i++) without.push(await chat(naive, `llm-503-off-${i}`));
      expect(without.map((r) => r.status)).toEqual(Array(8).fill(502));
      expect((await upstreamRequests()) - middle).toBe(8);
    });
  });
});
