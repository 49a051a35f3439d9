import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioInvalidError } from './errors.ts';
import { loadScenario } from './scenario.ts';
import { loadTimelineFile, withTimeline } from './timeline-file.ts';

const root = resolve(import.meta.dirname, '..');
const write = (name: string, text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-timeline-')), name);
  writeFileSync(file, text);
  return file;
};

describe('incident timeline files', () => {
  it('loads the shipped example and replaces the scenario timeline with it', async () => {
    const timeline = loadTimelineFile(join(root, 'scenarios/incidents/infura-brownout.yaml'));
    expect(timeline.seed).toBe(4242);
    expect(timeline.faults.map((f) => [f.name, f.atMs, f.durationMs])).toEqual([
      ['infura-slow', 4000, 3000],
      ['infura-429', 6000, 4000],
      ['infura-down', 10_000, 2000],
    ]);
    const scenario = withTimeline(await loadScenario('rpc-throttle', join(root, 'scenarios')), timeline);
    expect(scenario.durationMs).toBe(16_000);
    expect(scenario.faults).toHaveLength(3);
    expect(scenario.load.scriptPath).toMatch(/rpc-throttle\/load\.js$/);
  });

  it('reads JSON too', () => {
    const file = write('t.json', JSON.stringify({ phases: [{ name: 'only', duration: 1000 }], faults: [{ fault: 'down', target: 'redis', at: 0, duration: '500ms' }] }));
    expect(loadTimelineFile(file).faults[0]).toMatchObject({ atMs: 0, durationMs: 500 });
  });

  it('names the file and the field path of a mistake', () => {
    const file = write('bad.yaml', 'phases:\n  - { name: baseline, duration: 4 seconds }\nfaults:\n  - { fault: latency, target: redis, at: 1s, params: { latency: -5 } }\n');
    try {
      loadTimelineFile(file);
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioInvalidError);
      expect((error as Error).message).toContain(file);
      expect((error as ScenarioInvalidError).issues).toEqual([expect.stringMatching(/^phases\.0\.duration: expected a duration/)]);
    }
    expect(() => loadTimelineFile(write('bad2.yaml', 'phases:\n  - { name: a, duration: 4s }\nfaults:\n  - { fault: latency, target: redis, at: 1s, params: { latency: -5 } }\n'))).toThrow(
      /faults\.0\.params\.latency/,
    );
  });

  it("refuses a timeline without the phases the scenario's thresholds name", async () => {
    const file = write('t.yaml', 'phases:\n  - { name: warmup, duration: 2s }\n');
    await expect(async () => withTimeline(await loadScenario('rpc-throttle', join(root, 'scenarios')), loadTimelineFile(file))).rejects.toThrow(/phase "fault", which this timeline does not have/);
  });
});
