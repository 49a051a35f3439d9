import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildThresholds } from '../runner/run.ts';
import { listScenarios, loadScenario } from '../runner/scenario.ts';
import { loadTimelineFile } from '../runner/timeline-file.ts';

const root = resolve(import.meta.dirname, '..');

describe('shipped scenarios', () => {
  const names = listScenarios(root);

  it('are all there, each with an npm script', async () => {
    expect(names).toEqual(['chat-llm', 'db-latency', 'frame-claim-storm', 'llm-slow-first-token', 'redis-outage', 'redis-stall', 'rpc-outage', 'rpc-throttle']);
    const { scripts } = (await import('../package.json', { with: { type: 'json' } })).default as { scripts: Record<string, string> };
    for (const name of names) expect(scripts[`chaos:${name}`], name).toBe(`tsx scripts/cli.ts chaos ${name}`);
  });

  it.each(listScenarios(root))('%s validates, and its thresholds resolve for every profile', async (name) => {
    const scenario = await loadScenario(name, root);
    for (const profile of Object.values(scenario.load.profiles)) {
      const thresholds = buildThresholds(scenario, profile);
      for (const expressions of Object.values(thresholds)) for (const e of expressions) expect(e).not.toMatch(/[{}]/);
    }
  });

  it('ship incident timelines that validate', () => {
    const files = readdirSync(join(root, 'scenarios/incidents')).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(loadTimelineFile(join(root, 'scenarios/incidents', file)).phases.length).toBeGreaterThan(0);
  });
});
