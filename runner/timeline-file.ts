import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ScenarioInvalidError } from './errors.ts';
import { formatIssue } from '../lib/schema.ts';
import { faultEntrySchema, phaseSchema, type Scenario, scheduleTimeline } from './scenario.ts';

/**
 * An incident written down as data (YAML or JSON): phases and faults with offsets and
 * durations. Replayed with `faultline chaos <scenario> --timeline file.yaml`, it replaces
 * the scenario's own phases and faults; the scenario's load and assertions stay.
 */
const timelineFileSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  /** The seed the incident was replayed with, so a replay is repeatable. */
  seed: z.number().int().min(0).optional(),
  phases: z.array(phaseSchema).min(1, 'expected at least one phase'),
  faults: z.array(faultEntrySchema).default([]),
});

export interface TimelineFile {
  file: string;
  name?: string;
  description?: string;
  seed?: number;
  phases: Scenario['phases'];
  faults: Scenario['faults'];
}

export function loadTimelineFile(file: string): TimelineFile {
  if (!existsSync(file)) throw new ScenarioInvalidError(file, ['file not found']);
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(readFileSync(file, 'utf8')) : parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScenarioInvalidError(file, [`(root): not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = timelineFileSchema.safeParse(data);
  if (!parsed.success) throw new ScenarioInvalidError(file, parsed.error.issues.map((i) => formatIssue(i)));
  const { phases, faults, problems } = scheduleTimeline(parsed.data.phases, parsed.data.faults);
  if (problems.length > 0) throw new ScenarioInvalidError(file, problems);
  return { file, name: parsed.data.name, description: parsed.data.description, seed: parsed.data.seed, phases, faults };
}

/** The scenario with its timeline replaced by the file's. Phase-scoped assertions must still name existing phases. */
export function withTimeline(scenario: Scenario, timeline: TimelineFile): Scenario {
  const names = new Set(timeline.phases.map((p) => p.name));
  const problems: string[] = [];
  const scoped = Array.isArray(scenario.assertions.profileThresholds) ? scenario.assertions.profileThresholds : [];
  for (const p of scoped) if (!names.has(p)) problems.push(`phases: the scenario's profileThresholds use phase "${p}", which this timeline does not have`);
  for (const key of Object.keys(scenario.assertions.thresholds)) {
    const phase = /phase:([\w-]+)/.exec(key)?.[1];
    if (phase && !names.has(phase)) problems.push(`phases: the scenario's threshold ${key} uses phase "${phase}", which this timeline does not have`);
  }
  const baseline = scenario.assertions.recovery?.baselinePhase;
  if (baseline && !names.has(baseline)) problems.push(`phases: the scenario's recovery baseline is phase "${baseline}", which this timeline does not have`);
  if (problems.length > 0) throw new ScenarioInvalidError(timeline.file, problems);
  return { ...scenario, phases: timeline.phases, faults: timeline.faults, durationMs: timeline.phases.at(-1)!.endMs };
}
