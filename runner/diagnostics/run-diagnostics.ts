import type { ResolvedConfig } from '../../env/config.ts';
import type { Environment } from '../../env/environment.ts';
import type { EnvironmentState } from '../../env/state.ts';
import { readState } from '../../env/state.ts';
import { formatMs } from '../../lib/durations.ts';
import { ScenarioInvalidError } from '../errors.ts';
import type { K6Plan } from '../k6-driver.ts';
import type { PointsReader } from '../points.ts';
import type { Profile } from '../profiles.ts';
import type { RunResult, ThresholdResult } from '../result.ts';
import type { Scenario } from '../scenario.ts';
import type { TimelineExecutor } from '../timeline.ts';
import { planProbes, probePlanInfo } from '../probes/plan.ts';
import { type ProbeData, ProbeSampler } from '../probes/sampler.ts';
import type { PlannedProbe } from '../probes/source.ts';
import { judgeProbeThresholds, probeThresholdProblems, splitThresholds } from '../probes/thresholds.ts';
import { attribute } from './attribution.ts';
import { preparePlanChecks, runPlanChecks } from './explain.ts';
import { failureSamples, locateInLogs } from './failure-samples.ts';
import { DIAGNOSTICS_SCHEMA_VERSION, type Diagnostics, type PlanCheck, type SteadyState } from './result.ts';
import { statusBreakdown } from './status-breakdown.ts';
import { judgeSteadyState } from './steady-state.ts';

/** How long before the first fault the steady state is judged: enough for the last answers of the first phase to be in the points file. */
const GATE_LEAD_MS = 300;

/**
 * Everything a run observes besides k6's own verdict, behind one small interface so the
 * runner calls it at a few points: checked before anything starts, probes sampled and the
 * steady state gated while the load runs, then the diagnostics put together for the report.
 */
export class RunDiagnostics {
  /** What goes to k6 (probe thresholds are the runner's). */
  readonly k6Thresholds: Record<string, string[]>;
  readonly probeThresholds: Record<string, string[]>;
  private readonly planned: PlannedProbe[];
  private sampler?: ProbeSampler;
  private probes?: ProbeData;
  private gateTimer?: NodeJS.Timeout;
  /** Set when the gate found the steady state broken and stopped the run before its first fault. */
  steadyState?: SteadyState;

  /**
   * Validates the scenario's probe thresholds and plan checks against the environment the
   * run will have; throws ScenarioInvalidError naming the field.
   */
  constructor(
    private readonly scenario: Scenario,
    private readonly profile: Profile,
    thresholds: Record<string, string[]>,
    config: ResolvedConfig,
    targetService: string | undefined,
    running?: EnvironmentState,
  ) {
    const split = splitThresholds(thresholds);
    this.k6Thresholds = split.k6;
    this.probeThresholds = split.probe;
    const names = running ? Object.keys(running.services) : Object.keys(config.services);
    this.planned = planProbes(probePlanInfo(config, names, targetService, scenario.probes));
    const problems = probeThresholdProblems(this.probeThresholds, this.planned, scenario.phases, scenario.probes.enabled);
    if (scenario.explain.length > 0 && !names.includes('postgres')) problems.push('explain: plan checks run on the postgres service, which this environment will not have');
    if (problems.length > 0) throw new ScenarioInvalidError(scenario.file, problems);
  }

  /** The k6 helper's failure-sample settings. */
  get samplesPlan(): K6Plan['samples'] {
    const s = this.scenario.probes.samples;
    return { perKind: s.perKind, slowMs: s.slow ?? this.profile.p95TotalMs, bodyBytes: s.bodyBytes, ...(s.header ? { header: s.header } : {}) };
  }

  /** Before any load: every plan check's query compiles. */
  async beforeLoad(environment: Environment): Promise<void> {
    if (this.scenario.explain.length === 0) return;
    const problems = await preparePlanChecks(this.scenario.explain, environment.services.postgres!.directUrl);
    if (problems.length > 0) throw new ScenarioInvalidError(this.scenario.file, problems);
  }

  /**
   * From the time origin: the probes sample, and — when the first fault starts after the
   * first phase — the steady state is judged just before it; broken, the pending faults are
   * cancelled and the load stopped (`stopLoad`).
   */
  start(r: { environment: Environment; originMs: number; points: PointsReader; timeline: TimelineExecutor; stopLoad: () => void; say: (line: string) => void }): void {
    const { scenario } = this;
    if (this.planned.length > 0) {
      this.sampler = new ProbeSampler(this.planned, { environment: r.environment, originMs: r.originMs - scenario.probes.interval, phases: scenario.phases, intervalMs: scenario.probes.interval });
      // Its clock starts one interval early: that first tick only sets the counters' baselines.
      this.sampler.start();
    }
    const first = scenario.phases[0]!;
    const firstFault = Math.min(...scenario.faults.map((f) => f.atMs));
    if (!Number.isFinite(firstFault) || firstFault < first.endMs || scenario.phases.length < 2) return;
    const atMs = Math.max(first.startMs + 500, firstFault - GATE_LEAD_MS);
    this.gateTimer = setTimeout(() => {
      r.points.poll();
      const judged = judgeSteadyState({ ...this.k6Thresholds, ...this.probeThresholds }, first, r.points.stats, this.sampler?.current ?? [], atMs);
      if (judged.ok) {
        this.steadyState = judged;
        return;
      }
      this.steadyState = judged;
      r.say(`  steady state broken in ${first.name} (${judged.broken.join('; ')}): no fault is applied, the load stops`);
      void r.timeline.finish();
      r.stopLoad();
    }, Math.max(0, r.originMs + atMs - Date.now()));
  }

  /** True when the gate stopped the run. */
  get gateStopped(): boolean {
    return this.steadyState?.ok === false;
  }

  /** After the load: the sampler stops (the load has stopped). */
  async stop(): Promise<void> {
    clearTimeout(this.gateTimer);
    this.probes = await this.sampler?.stop();
  }

  private plans: PlanCheck[] = [];

  /** After the load (with the invariants): the plan checks. Returns a reason per plan that does not hold. */
  async afterLoad(environment: Environment): Promise<string[]> {
    this.plans = await runPlanChecks(this.scenario.explain, environment.services.postgres?.directUrl ?? '');
    return this.plans.filter((p) => !p.ok).map((p) => `plan ${p.name}: expected "${p.expect}" in the plan; got ${p.plan.split('\n')[0]!.trim()}`);
  }

  /** The probe thresholds, judged on the series. */
  thresholdResults(): ThresholdResult[] {
    return judgeProbeThresholds(this.probeThresholds, this.probes);
  }

  /** The broken-baseline outcome from the live gate, when it fired. */
  inconclusive(): RunResult['inconclusive'] {
    if (!this.gateStopped) return undefined;
    const s = this.steadyState!;
    return {
      kind: 'baseline-broken',
      detail: `the baseline was already broken before any fault: ${s.broken.join(', ')} in phase ${s.phase} (judged at ${formatMs(s.checkedAtMs)}); no fault was applied and the load was stopped, so nothing here is about the mitigations`,
    };
  }

  /** Everything for summary.json and the reports, once the result's verdict parts are known. */
  async collect(result: RunResult, points: PointsReader, environment: Environment, config: ResolvedConfig): Promise<Diagnostics> {
    const samples = failureSamples(points.failures as never, Date.parse(result.startedAt), this.scenario.probes.samples.header);
    const logs = Object.fromEntries(Object.values(readState(environment.stateDir)?.services ?? {}).flatMap((r) => { const file = r.process?.logFile ?? r.container?.logFile; return file ? [[r.name, file]] : []; }));
    locateInLogs(samples, logs, config.rootDir);
    return {
      schemaVersion: DIAGNOSTICS_SCHEMA_VERSION,
      ...(this.probes ? { probes: { intervalMs: this.probes.intervalMs, groups: this.probes.groups, series: this.probes.series, gaps: this.probes.gaps, facts: this.probes.facts } } : {}),
      statusBreakdown: statusBreakdown(points.stats, this.scenario.phases),
      failureSamples: samples,
      attribution: attribute(result, points.stats, this.probes),
      plans: this.plans,
      ...(this.steadyState ? { steadyState: this.steadyState } : {}),
    };
  }

  /** The probe data, once stopped. */
  get data(): ProbeData | undefined {
    return this.probes;
  }
}
