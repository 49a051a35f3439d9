import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildThresholds } from '../runner/run.ts';
import { loadConfig } from '../env/config.ts';
import { targetInfo } from '../runner/environment-plan.ts';
import { listScenarios, loadScenario, targetProblems } from '../runner/scenario.ts';
import { loadTimelineFile } from '../runner/timeline-file.ts';
import { chaosScripts } from '../scripts/npm-scripts.ts';

const root = resolve(import.meta.dirname, '..');

describe('shipped scenarios', () => {
  const names = listScenarios(join(root, 'scenarios'));

  it('are found by their folders, and each has its generated npm script chaos:<name> (`faultline scripts`)', async () => {
    expect(names).toContain('rpc-throttle'); // the README's quick start
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(chaosScripts(scripts, names), 'package.json is out of date: run `npm run faultline -- scripts`').toEqual(scripts);
    for (const name of names) expect(scripts[`chaos:${name}`], name).toBe(`node --import tsx scripts/cli.ts chaos ${name}`);
  });

  it.each(listScenarios(join(root, 'scenarios')))('%s validates, and its thresholds resolve for every profile', async (name) => {
    const scenario = await loadScenario(name, join(root, 'scenarios'));
    // Its fault targets exist in the repository's environment (mock fault params included).
    expect(targetProblems(scenario.faults, targetInfo(await loadConfig(join(root, 'faultline.config.ts'))))).toEqual([]);
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
