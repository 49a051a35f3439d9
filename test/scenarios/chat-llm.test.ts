import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../env/environment.ts';
import { startEnvironment } from '../../env/environment.ts';
import { runScenario } from '../../runner/run.ts';
import { loadScenario } from '../../runner/scenario.ts';
import { loadTimelineFile, withTimeline } from '../../runner/timeline-file.ts';
import { startAppProcess } from '../support/app-process.ts';
import { REPO_ROOT, testConfig } from '../support/environment.ts';

// chat-llm has no fault of its own: its smoke profile must PASS as is, and FAIL its
// first-token threshold when the shipped incident (a 3 s first token) is replayed on it.
describe('scenario chat-llm', () => {
  const config = testConfig({ services: { postgres: true, redis: true, anvil: true, llm: true } });
  const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-reports-'));
  let environment: Environment;
  let app: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    environment = await startEnvironment(config);
    app = await startAppProcess(environment, 'all');
  });
  afterAll(async () => {
    await app?.close();
    await environment?.stop();
  });

  it('passes the smoke profile: 20 chats by 2 users, all streamed, p95 total and first token within bounds', async () => {
    const scenario = await loadScenario('chat-llm', join(REPO_ROOT, 'scenarios'));
    const { result, exitCode } = await runScenario({ scenario, profile: 'smoke', config, target: app.url, reportsDir, out: { write: () => true } });
    expect(result.reasons).toEqual([]);
    expect(exitCode).toBe(0);
    expect(result.phases[0]).toMatchObject({ name: 'load', requests: 20, errorRate: 0 });
    expect(result.phases[0]!.firstToken!.p95).toBeGreaterThan(0);
    expect(result.thresholds.map((t) => t.metric)).toEqual(['http_req_failed', 'http_req_duration', 'faultline_first_token']);
  }, 120_000);

  it('fails its first-token threshold when the 3 s first-token incident is replayed', async () => {
    const scenario = withTimeline(await loadScenario('chat-llm', join(REPO_ROOT, 'scenarios')), loadTimelineFile(join(REPO_ROOT, 'scenarios/incidents/llm-first-token-3s.yaml')));
    const { result, exitCode } = await runScenario({ scenario, profile: 'smoke', config, target: app.url, reportsDir, out: { write: () => true } });
    expect(exitCode).toBe(1);
    expect(result.reasons).toEqual([expect.stringMatching(/^threshold faultline_first_token p\(95\)<=2500 failed \(observed 3\d{3}/)]);
    expect(result.timeline.map((e) => `${e.action} ${e.fault} ${e.ok}`)).toEqual(['apply llm-congested true', 'revert llm-congested true']);
  }, 120_000);
});
