import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { FaultlineError } from '../lib/errors.ts';
import { formatMs } from '../lib/durations.ts';
import { rel } from '../lib/hints.ts';
import { phaseMetrics, recoveryTimes, timeSeries } from './analysis.ts';
import type { DistributedPlan } from './export/plan-file.ts';
import { thresholdsFromPoints } from './point-thresholds.ts';
import { PointsReader } from './points.ts';
import { RequestStats } from './request-stats.ts';
import { writeReports } from './reports/index.ts';
import { type RunResult, type TimelineEvent, VERDICT_EXIT_CODES } from './result.ts';
import { inconclusiveOutcome } from './run.ts';
import { presets } from '../toxics/index.ts';
import { failureReasons } from './verdict-reasons.ts';
import { expressionOf } from './thresholds.ts';

export interface AnalyseOptions {
  plan: DistributedPlan;
  /** k6 `--out json` files (`.json`, or `.json.gz` as the exported pods write them), one per process. */
  files: string[];
  /** Where `<run-id>/` goes. */
  reportsDir: string;
  /** The plan file, for the replay line. */
  planFile?: string;
}

/** No result file to analyse. Exit code 2. */
export class ResultsMissingError extends FaultlineError {}

/**
 * The verdict of a run whose load was made elsewhere (a k6-operator TestRun, or k6
 * processes split by --execution-segment): the processes' points merged onto one time
 * axis (its origin the first request's start), then phases, thresholds (judged over all
 * points, as one k6 would) and recovery judged as a local run judges them, against the
 * faults as scheduled. Writes the same reports; invariants are not checked (nothing here
 * reaches the cluster's data). Exit code as a local run's: 0, 1, 3, 4.
 */
export async function analyseResults(o: AnalyseOptions): Promise<{ result: RunResult; runDir: string; exitCode: number }> {
  const missing = o.files.filter((f) => !existsSync(f));
  if (o.files.length === 0 || missing.length > 0) throw new ResultsMissingError(`No k6 results to analyse${missing.length ? `: ${missing.join(', ')} not found` : ''}. Pass the JSON files the pods wrote (k6 --out json), e.g. results/*.json.gz.`);
  const scratch = mkdtempSync(join(tmpdir(), 'faultline-analyse-'));
  try {
    const files = await Promise.all(o.files.map((f, i) => (f.endsWith('.gz') ? gunzipTo(f, join(scratch, `${i}-${basename(f, '.gz')}`)) : resolve(f))));
    return await judge(o, files);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function judge(o: AnalyseOptions, files: string[]): Promise<{ result: RunResult; runDir: string; exitCode: number }> {
  const { plan } = o;
  // Absolute times first (origin 0), then onto the run's axis: from the first request's start.
  const samples = new RequestStats();
  for (const file of files) {
    const reader = new PointsReader(file, 0);
    reader.poll();
    samples.merge(reader.stats);
  }
  const origin = samples.firstStartMs ?? Date.now();
  samples.shift(origin);
  const phases = plan.k6.phases;
  const plannedEnd = phases.at(-1)!.endMs;
  const endedMs = Math.max(0, samples.lastEndMs ?? 0);
  // An iterations run ends when its requests are done, often before its nominal phases do.
  const measured = plan.executor === 'iterations' ? phases.map((p, i) => (i === phases.length - 1 ? { ...p, endMs: Math.max(p.startMs + 1, Math.min(p.endMs, endedMs)) } : p)) : phases;

  // The faults as scheduled: nothing here saw when Chaos Mesh (or a sidecar) really applied them.
  const timeline: TimelineEvent[] = plan.faults.flatMap((f) => {
    const layer = presets[f.fault]?.layer ?? 'network';
    const end = f.durationMs === undefined ? plannedEnd : f.atMs + f.durationMs;
    return [
      { fault: f.name, layer, target: f.target, action: 'apply' as const, scheduledMs: f.atMs, actualMs: f.atMs, ok: true },
      { fault: f.name, layer, target: f.target, action: 'revert' as const, scheduledMs: end, actualMs: end, ok: true },
    ];
  });
  const thresholds = thresholdsFromPoints(files, Object.fromEntries(Object.entries(plan.k6.thresholds).map(([metric, entries]) => [metric, entries.map(expressionOf)])));
  const recovery = recoveryTimes(samples, timeline, plan.faults, plannedEnd, {
    boundMs: plan.recovery?.bound,
    baselinePhase: plan.recovery?.baselinePhase ?? phases[0]!.name,
    errorRateMargin: plan.recovery?.errorRateMargin ?? 0.05,
    p95Factor: plan.recovery?.p95Factor ?? 1.5,
  });
  if (!plan.recovery) for (const r of recovery) r.ok = true;
  const reasons = failureReasons({ timeline, thresholds, recovery, invariants: [] });
  const inconclusive = inconclusiveOutcome({ phases, faults: plan.faults }, thresholds, samples.count('duration'));
  const startedAt = new Date(origin);
  const runId = `${plan.scenario}-${plan.profile}-distributed-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  const result: RunResult = {
    runId,
    scenario: plan.scenario,
    description: plan.description,
    profile: plan.profile,
    seed: 0,
    target: plan.k6.target,
    startedAt: startedAt.toISOString(),
    durationMs: Math.max(endedMs, 1),
    replay: `npx faultline analyse --plan ${rel(o.planFile ?? 'plan.json')} ${o.files.map(rel).join(' ')}`,
    verdict: inconclusive ? 'INCONCLUSIVE' : reasons.length === 0 ? 'PASS' : 'FAIL',
    ...(inconclusive ? { inconclusive } : {}),
    reasons,
    phases: phaseMetrics(samples, measured),
    timeline,
    thresholds,
    recovery,
    invariants: [],
    series: timeSeries(samples, measured, measured.at(-1)!.endMs),
    context: {
      source: `faultline analyse: ${o.files.length} result file(s) merged (k6-operator parallelism ${plan.parallelism})`,
      files: o.files.map(rel).join(', '),
      load: `${plan.load} over ${formatMs(plannedEnd)}, split over the pods`,
      faults: plan.faults.length ? 'as scheduled (apply/revert times not observed)' : 'none',
      invariants: 'not checked (they need the environment the run had)',
      scenarioFile: plan.scenarioFile,
    },
  };
  await writeReports(result, o.reportsDir);
  const exitCode = inconclusive ? VERDICT_EXIT_CODES[inconclusive.kind] : VERDICT_EXIT_CODES[result.verdict as 'PASS' | 'FAIL'];
  return { result, runDir: join(o.reportsDir, runId), exitCode };
}

async function gunzipTo(file: string, to: string): Promise<string> {
  await pipeline(createReadStream(file), createGunzip(), createWriteStream(to));
  return to;
}
