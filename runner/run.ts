import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE, type FaultlineConfig, type ResolvedConfig, resolveConfig } from '../env/config.ts';
import { deadServices, type Environment, isResolved, startEnvironment } from '../env/environment.ts';
import { FaultlineError } from '../env/errors.ts';
import { type HeldLease, pruneDeadLeases, takeLease } from '../env/leases.ts';
import { restoreEnvironment } from '../env/restore.ts';
import { readState } from '../env/state.ts';
import { startTimeOf } from '../lib/processes.ts';
import { Toolbox } from '../env/tools/toolbox.ts';
import { faultContextOf } from '../toxics/index.ts';
import { type K6SummaryExport, phaseMetrics, phaseOf, recoveryTimes, thresholdResults, timeSeries } from './analysis.ts';
import { formatMs } from '../lib/durations.ts';
import { logTail, makeDir, readJson } from '../lib/files.ts';
import { commandHint, rel } from '../lib/hints.ts';
import { type EnvironmentPlan, planEnvironment } from './environment-plan.ts';
import { InterruptedError, LoadGeneratorError, ScenarioInvalidError } from './errors.ts';
import { K6_THRESHOLDS_FAILED, k6ArgProblems, k6Outputs, startK6 } from './k6-driver.ts';
import { checkLoad } from './load-checks.ts';
import { k6LoadPlan } from './load-plan.ts';
import { describeShape, shapeLoad } from './load-shape.ts';
import { loadLines } from './reports/load.ts';
import { loadAccount, shortfallOutcome } from './shortfall.ts';
import { socketIoProblems } from './socketio-probe.ts';
import { withWsMetrics } from './ws-analysis.ts';
import { type PreparedScript, prepareK6Script } from './k6-script.ts';
import { PointsReader } from './points.ts';
import type { RequestStats } from './request-stats.ts';
import { type Profile, profileVariables } from './profiles.ts';
import { Progress } from './progress.ts';
import { leadFor, leadNote, readyBeforeOrigin, recordNeed } from './k6-lead.ts';
import type { RunTimings } from './timings.ts';
import { redact } from './reports/redact.ts';
import { type InvariantResult, type RunResult, type ThresholdResult, VERDICT_EXIT_CODES } from './result.ts';
import type { InvariantContext, Scenario } from './scenario.ts';
import { assertReachable, checkTarget } from './target.ts';
import type { declarativeInvariant } from './invariants.ts';

type PreparedInvariant = ReturnType<typeof declarativeInvariant>;
import { applyLateness, TimelineExecutor } from './timeline.ts';
import { failureReasons } from './verdict-reasons.ts';
import { RunDiagnostics } from './diagnostics/run-diagnostics.ts';
import { probeUnit } from './diagnostics/attribution.ts';
import { readable } from './reports/readable.ts';
import { abortedBy, expressionOf, fillPlaceholders, k6Thresholds } from './thresholds.ts';

export interface RunOptions {
  scenario: Scenario;
  /** Profile name; default the scenario's default profile. */
  profile?: string;
  /** The environment config: an environment up in its state dir is reused, else one is started and stopped again. */
  config: FaultlineConfig | ResolvedConfig;
  /** Overrides the scenario's target URL. */
  target?: string;
  allowRemoteTarget?: boolean;
  /** `FAULTLINE_MITIGATIONS` for an app this run starts, e.g. "-rpc-fallback". */
  mitigations?: string;
  /** Where `<run-id>/` goes. Default `<rootDir>/reports`. */
  reportsDir?: string;
  /** Seed for an environment this run starts (an incident replay pins it). */
  seed?: number;
  /** Extra `__ENV` values for the k6 script (`--env KEY=VALUE`); values of keys that look secret are redacted everywhere. */
  env?: Record<string, string>;
  /** Keys of `env` whose values are secrets whatever their names (`--secret-env`): redacted everywhere, shown as `--secret-env KEY` in the replay line. */
  secretEnv?: string[];
  /** Flags passed to `k6 run` as they are (`--k6-arg`, `--out`, or after `--`); `K6_OUT`'s outputs are added beside Faultline's own too. */
  k6Args?: string[];
  /** An incident timeline file that replaced the scenario's own (for the replay line). */
  timelineFile?: string;
  /** Where progress and log lines go (default stderr). */
  out?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  /** Install SIGINT/SIGTERM handlers that stop the load and roll back faults (the CLI sets it). */
  handleSignals?: boolean;
  /**
   * Aborting it interrupts the run as SIGINT would: the load stops, every fault is reverted,
   * an environment the run started is stopped, and the report says "interrupted (abort)".
   * How a program that handles its own signals asks for that.
   */
  signal?: AbortSignal;
  /** Marked as the run goes (prepare, environment, k6 start, load, analysis, reports) and printed at its end (`--timings`). */
  timings?: RunTimings;
}

export interface RunOutcome {
  result: RunResult;
  runDir: string;
  /** 0 PASS, 1 FAIL, 130 interrupted. */
  exitCode: number;
}

/**
 * Runs one scenario: environment up (or reused), k6 and the fault timeline from one time
 * origin, every fault reverted whatever happens, then thresholds, recovery and invariants
 * judged into a RunResult written to `reports/<run-id>/`.
 * Throws FaultlineError (exit 2) when the input is invalid or the environment will not start.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const { scenario } = options;
  const out = options.out ?? process.stderr;
  // Whatever the run prints goes through the same redaction as its reports.
  const say = (line: string) => out.write(`${redact(line)}\n`);
  const profileName = options.profile ?? scenario.load.defaultProfile;
  const profile = scenario.load.profiles[profileName];
  if (!profile) throw new FaultlineError(`Unknown profile "${profileName}" for scenario ${scenario.name}; known profiles: ${Object.keys(scenario.load.profiles).join(', ')}`);

  const baseConfig = isResolved(options.config) ? options.config : resolveConfig(options.config);
  // Everything that can be checked is checked before anything is provisioned or started.
  if (options.target) checkTarget(options.target, options.allowRemoteTarget ?? false, say);
  assertReportsDir(resolve(options.reportsDir ?? join(baseConfig.rootDir, 'reports')));
  const k6Problems = k6ArgProblems(options.k6Args ?? []);
  if (k6Problems.length > 0) throw new FaultlineError(k6Problems.join('; '));
  const running = readState(baseConfig.stateDir);
  const plan = planEnvironment(scenario, baseConfig, options, running?.status === 'up' ? running : undefined);
  // Probe thresholds and plan checks against the environment the run will have, before anything starts.
  new RunDiagnostics(scenario, profile, buildThresholds(scenario, profile), plan.config, plan.targetService, running?.status === 'up' ? running : undefined);
  const script = await prepareK6Script(scenario.load.scriptPath);
  try {
    checkLoad(scenario, profile, script);
    const k6 = await new Toolbox().get('k6');
    return await runPrepared(options, { scenario, profileName, profile, plan, k6, script, say, out });
  } finally {
    script.cleanup();
  }
}

/** The run once its inputs are known good: signals, the environment, the load. */
async function runPrepared(
  options: RunOptions,
  r: { scenario: Scenario; profileName: string; profile: Profile; plan: EnvironmentPlan; k6: { path: string; version: string }; script: PreparedScript; say: (line: string) => void; out: NonNullable<RunOptions['out']> },
): Promise<RunOutcome> {
  const { scenario, profileName, profile, plan, k6, script, say, out } = r;

  // One SIGINT/SIGTERM listener for the whole run; what it does depends on how far the run got.
  const startup = new AbortController();
  const interrupts: Interrupts = {
    handler: (signal) => {
      say(`\n${signal}: stopping what was started...`);
      startup.abort(new InterruptedError(signal, 'while the environment was starting'));
    },
  };
  const dispatch = (signal: Interruption) => {
    interrupts.signal ??= signal;
    interrupts.handler(signal);
  };
  const onAbort = () => dispatch('abort');
  if (options.handleSignals) process.on('SIGINT', dispatch).on('SIGTERM', dispatch);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await runInEnvironment(options, { scenario, profileName, profile, plan, k6, script, say, out, interrupts, startup: startup.signal });
  } finally {
    if (options.handleSignals) process.off('SIGINT', dispatch).off('SIGTERM', dispatch);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The reports folder is a folder this process can write (made if missing), or a FaultlineError saying what it is. */
function assertReportsDir(dir: string): void {
  try {
    makeDir(dir);
    if (!statSync(dir).isDirectory()) throw new FaultlineError(`--reports ${dir} is a file, not a folder: point it at a folder for the run's reports.`);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof FaultlineError) throw error;
    throw new FaultlineError(`--reports ${dir} cannot be used: ${(error as Error).message}`);
  }
}

/** A second SIGINT/SIGTERM sooner than this after the first is the same Ctrl-C, forwarded by npm. */
const SECOND_SIGNAL_MS = 750;

/** k6 reaching the origin later than this is said: its first requests came after the fault timeline's clock started. */
const LATE_MS = 50;

/** What interrupted a run: a process signal, or the caller's AbortSignal. */
type Interruption = NodeJS.Signals | 'abort';

/** SIGINT/SIGTERM or an abort: the first seen, and what to do about the next one. */
interface Interrupts {
  signal?: Interruption;
  handler: (signal: Interruption) => void;
}

async function runInEnvironment(
  options: RunOptions,
  r: {
    scenario: Scenario;
    profileName: string;
    profile: Profile;
    plan: EnvironmentPlan;
    k6: { path: string; version: string };
    script: PreparedScript;
    say: (line: string) => void;
    out: NonNullable<RunOptions['out']>;
    interrupts: Interrupts;
    startup: AbortSignal;
  },
): Promise<RunOutcome> {
  const { scenario, profileName, profile, plan, k6, script, say, out, interrupts } = r;
  options.timings?.mark('prepare');
  const envStarted = Date.now();
  const environment = await startEnvironment(plan.config, { log: (line) => say(`  ${line}`), signal: r.startup }).catch((error: unknown) => {
    throw r.startup.aborted ? r.startup.reason : error;
  });
  options.timings?.mark('environment');
  // Until the load starts, a signal just ends the run once the current step is done.
  interrupts.handler = (signal) => say(`\n${signal}: stopping before the load starts...`);
  try {
    say(environment.reused ? `environment: reusing the running one (seed ${environment.seed})` : `environment: up in ${Date.now() - envStarted} ms (seed ${environment.seed})`);
    const target = options.target ?? targetUrl(scenario, plan, environment);
    checkTarget(target, options.allowRemoteTarget ?? false, say);
    const lease = await holdEnvironment(environment, `scenario ${scenario.name} (${profileName})`, say);
    try {
      return await runLoad({ ...options, out }, { scenario, profileName, profile, config: plan.config, environment, target, targetService: plan.targetService, mitigations: plan.mitigations, k6: k6.path, k6Version: k6.version, script, interrupts, lease });
    } finally {
      await lease.release();
    }
  } finally {
    if (!environment.reused) {
      await environment.stop();
      say('environment: stopped (this run started it)');
    }
  }
}

/**
 * Takes the environment for this run. What a killed run left behind is undone first and
 * said: its k6 stopped, its faults reverted, its raw k6 files redacted. Another live run
 * on the same environment is refused (EnvironmentBusyError).
 */
async function holdEnvironment(environment: Environment, what: string, say: (line: string) => void): Promise<HeldLease> {
  const leftovers = await pruneDeadLeases(environment.stateDir);
  for (const dead of leftovers.leases) {
    say(`environment: a run that died (pid ${dead.pid}, ${dead.what}) left ${dead.faults.length ? `faults applied: ${dead.faults.map((f) => f.name).join(', ')}` : 'its lease'}${dead.k6 ? '; its k6 was stopped' : ''}`);
    if (dead.runDir) redactK6Files(dead.runDir, redactionEnv(environment.config, environment.env));
  }
  if (leftovers.faults.length > 0) {
    const done = await restoreEnvironment(environment);
    say(`environment: restored before this run (${done.join('; ')})`);
  }
  return takeLease(environment.stateDir, what);
}

/** The URL the load goes to: the target service's proxy, the scenario's URL, or the variable it names. */
function targetUrl(scenario: Scenario, plan: EnvironmentPlan, environment: Environment): string {
  if (plan.targetService) return environment.services[plan.targetService]!.url;
  if (scenario.target.url) return scenario.target.url;
  const url = environment.env[scenario.target.envVar!];
  if (!url) {
    throw new FaultlineError(
      `Scenario ${scenario.name} sends load to ${scenario.target.envVar}, which the environment does not set. Enable the service that provides it, or pass --target http://127.0.0.1:<port>.`,
    );
  }
  return url;
}

interface LoadContext {
  scenario: Scenario;
  profileName: string;
  profile: Profile;
  config: ResolvedConfig;
  environment: Environment;
  target: string;
  /** The service the load goes to, when the environment runs it. */
  targetService?: string;
  /** The mitigations asked of the app (the flag, or its variable from the shell). */
  mitigations?: string;
  k6: string;
  k6Version: string;
  script: PreparedScript;
  interrupts: Interrupts;
  /** This run's hold on the environment: its k6 and its faults are recorded there. */
  lease: HeldLease;
}

async function runLoad(options: RunOptions & { out: NonNullable<RunOptions['out']> }, c: LoadContext): Promise<RunOutcome> {
  const { scenario, profile, environment } = c;
  const out = options.out;
  let progress: Progress | undefined;
  const say = (line: string) => (progress ? progress.log(line) : out.write(`${line}\n`));
  const startedAt = new Date();
  const runId = `${scenario.name}-${c.profileName}-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${process.pid % 10000}`;
  // Absolute: k6 runs inside the run folder, so a relative path would resolve twice.
  const reportsDir = resolve(options.reportsDir ?? join(c.config.rootDir, 'reports'));
  const runDir = join(reportsDir, runId);
  mkdirSync(runDir, { recursive: true });

  const invariantContext: InvariantContext = {
    env: environment.env,
    target: c.target,
    profile: c.profileName,
    seed: environment.seed,
    mitigations: (c.targetService ? environment.services[c.targetService]?.mitigations : undefined) ?? c.mitigations,
    runDir,
    serviceOptions: c.config.services,
    ...(c.targetService ? { directTarget: environment.services[c.targetService]!.directUrl } : {}),
  };
  // Probe thresholds are judged by the runner on the probes' series; k6 gets the rest.
  const diagnostics = new RunDiagnostics(scenario, profile, buildThresholds(scenario, profile), c.config, c.targetService, readState(c.config.stateDir));
  const thresholds = diagnostics.k6Thresholds;
  // Before any load or fault: the target answers (an unreachable app is never a FAIL of its mitigations),
  // and every SQL invariant compiles against the database.
  await assertReachable(c.target, c.targetService ? { definition: c.config.definitions[c.targetService]!, options: c.config.services[c.targetService], directUrl: invariantContext.directTarget! } : undefined);
  for (const invariant of scenario.invariants) await (invariant as Partial<PreparedInvariant>).prepare?.(invariantContext);
  await diagnostics.beforeLoad(environment);
  const groups = shapeLoad(scenario.load, scenario.phases, profile, c.script.exports).groups;
  const loadPlan = k6LoadPlan(groups, environment.services, c.target);
  const notSocketIo = c.script.socketIo ? await socketIoProblems(scenario, loadPlan.groups, c.target, !!options.target) : [];
  if (notSocketIo.length > 0) throw new ScenarioInvalidError(scenario.file, notSocketIo);
  const faultContext = faultContextOf(environment);

  say(`scenario ${scenario.name} · profile ${c.profileName} · load → ${c.target} · ${formatMs(scenario.durationMs)} · ${scenario.faults.length} fault(s)`);
  const beforeEnv = (await Promise.resolve(scenario.before?.(invariantContext)).catch((error: unknown) => {
    throw new FaultlineError(`${scenario.file}: its before() failed, so no load was sent: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  })) ?? {};
  // A warm keep-alive connection to Toxiproxy keeps the first apply as close to schedule as the later ones.
  await fetch(`${environment.toxiproxyUrl}/version`).then((r) => r.text()).catch(() => {});
  // A signal since the environment came up ends the run here, before k6 is spawned. From here to
  // the handler swap below everything is synchronous, so no signal can slip in between.
  if (c.interrupts.signal) throw new InterruptedError(c.interrupts.signal, 'before the load started');
  const k6Env = { ...environment.env, ...scenario.load.env, ...options.env, ...beforeEnv };
  // One time origin for k6 and the timeline: k6 initialises during the lead, its setup() sleeps until the origin.
  const leadKey = `${scenario.name} ${scenario.file} ${c.profileName}`;
  const lead = leadFor(c.config.stateDir, leadKey, scenario.load.leadMs);
  const originMs = Date.now() + lead.ms;
  options.timings?.mark('load setup');
  options.timings?.mark('k6 start', originMs);
  const k6 = startK6({
    k6: c.k6,
    script: c.script.file,
    runDir,
    seed: environment.seed,
    env: k6Env,
    args: options.k6Args,
    plan: {
      originMs,
      target: c.target,
      phases: scenario.phases,
      thresholds: k6ThresholdsOf(scenario, profile, thresholds),
      profile,
      maxRedirects: options.allowRemoteTarget ? 10 : 0,
      samples: diagnostics.samplesPlan,
      ...loadPlan,
      shaped: !!scenario.load.groups,
    },
  });
  // The report writers are needed only after the load: imported while it runs, not before k6 starts.
  const reports = import('./reports/index.ts');
  reports.catch(() => {}); // awaited (and any failure thrown) at the reports step
  // Recorded first, so that if this process is killed the next run (or env down) knows to stop it.
  await c.lease.update((lease) => {
    lease.runDir = runDir;
    lease.k6 = { pid: k6.pid, startTime: startTimeOf(k6.pid) };
  });
  const timeline = new TimelineExecutor({
    ctx: faultContext,
    originMs,
    log: (line) => say(`  ${line}`),
    // Every fault is in the lease before it takes effect and leaves it once reverted.
    record: {
      applying: (f) => c.lease.update((lease) => void lease.faults.push({ name: f.name, fault: f.fault, target: f.target, appliedAt: new Date().toISOString() })),
      reverted: (name) => c.lease.update((lease) => void (lease.faults = lease.faults.filter((f) => f.name !== name))),
    },
  });
  const points = new PointsReader(k6.pointsFile, originMs, scenario.probes.samples.perKind);
  progress = new Progress(out, points);

  let interrupted: string | undefined;
  let interruptedAt = 0;
  const onSignal = (signal: Interruption) => {
    if (interrupted) {
      // `npm run` forwards the terminal's SIGINT, so one Ctrl-C arrives twice within milliseconds:
      // only a second one a moment later means "stop waiting for k6's graceful stop".
      if (Date.now() - interruptedAt > SECOND_SIGNAL_MS) k6.kill();
      return;
    }
    interrupted = signal;
    interruptedAt = Date.now();
    say(`\n${signal}: stopping the load and reverting every fault...`);
    k6.interrupt();
    void timeline.finish();
  };
  c.interrupts.handler = onSignal;

  const ticker = setInterval(() => {
    points.poll();
    const elapsedMs = Date.now() - originMs;
    if (elapsedMs < 0) return;
    progress.tick({ elapsedMs, totalMs: scenario.durationMs, phase: phaseOf(scenario.phases, elapsedMs), activeFaults: timeline.active() });
  }, 1000);

  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    timeline.start(scenario.faults);
    diagnostics.start({ environment, originMs, points, timeline, stopLoad: () => k6.interrupt(), say });
    exit = await k6.exited;
  } finally {
    clearInterval(ticker);
    await diagnostics.stop();
    // Rollbacks: on success, error or signal, nothing stays applied.
    await timeline.finish();
    progress.done();
    c.interrupts.handler = (signal) => {
      interrupted ??= signal;
      say(`\n${signal}: finishing the report...`);
    };
  }
  const endedMs = Date.now() - originMs;
  options.timings?.mark('load');
  const readyBeforeMs = readyBeforeOrigin(existsSync(k6.logFile) ? readFileSync(k6.logFile, 'utf8') : '');
  if (readyBeforeMs !== undefined) {
    recordNeed(c.config.stateDir, leadKey, lead.ms - readyBeforeMs);
    if (readyBeforeMs < -LATE_MS) say(`k6 reached the time origin ${formatMs(-readyBeforeMs)} late: the load started after the fault timeline's clock (${lead.how === 'declared' ? 'raise load.lead' : 'the next run waits longer'})`);
  }
  options.timings?.note('k6 start', leadNote(lead.ms, readyBeforeMs, lead.how));
  const secrets = { ...redactionEnv(c.config, k6Env), ...Object.fromEntries((options.secretEnv ?? []).map((key, i) => [`FAULTLINE_SECRET_ENV_${i}`, k6Env[key]])) };
  if (!interrupted && !diagnostics.gateStopped && exit.code !== 0 && exit.code !== K6_THRESHOLDS_FAILED) {
    // The tail printed and the files left behind carry target URLs with provider keys too.
    redactK6Files(runDir, secrets);
    throw new LoadGeneratorError(exit.code, exit.signal, k6.logTail());
  }

  points.poll();
  const summary = readJson<K6SummaryExport>(k6.summaryFile);
  const thresholdResultsList = [...thresholdResults(summary, thresholds), ...diagnostics.thresholdResults()];
  const recoveryOptions = scenario.assertions.recovery;
  const recovery = recoveryTimes(points.stats, timeline.events, scenario.faults, scenario.durationMs, {
    boundMs: recoveryOptions?.bound,
    baselinePhase: recoveryOptions?.baselinePhase ?? scenario.phases[0]!.name,
    errorRateMargin: recoveryOptions?.errorRateMargin ?? 0.05,
    p95Factor: recoveryOptions?.p95Factor ?? 1.5,
  });
  // Without a bound, recovery is reported but not asserted.
  if (!recoveryOptions) for (const r of recovery) r.ok = true;
  const invariants = interrupted ? [] : await checkInvariants(scenario, invariantContext);
  const planReasons = interrupted || diagnostics.gateStopped ? [] : await diagnostics.afterLoad(environment);

  const reasons: string[] = [];
  if (interrupted) reasons.push(`the run was interrupted (${interrupted}) after ${formatMs(endedMs)}`);
  reasons.push(...failureReasons({ timeline: timeline.events, thresholds: thresholdResultsList, recovery, invariants }, (t) => readable(t.metric, t.expression, t.observed!, t.source === 'probe' ? probeUnit(diagnostics.data, t.metric) : undefined)));
  // A dependency that crashed explains everything after it: say so by name.
  for (const dead of await deadServices(environment.config)) {
    const tail = dead.logFile ? logTail(dead.logFile, 3).split('\n').filter(Boolean).join(' | ') : '';
    reasons.push(`service ${dead.name} died during the run${tail ? ` (last lines of ${rel(dead.logFile!)}: ${tail})` : ''}`);
  }
  reasons.push(...planReasons);
  if (exit.code === K6_THRESHOLDS_FAILED && !thresholdResultsList.some((t) => !t.ok)) reasons.push('k6 reported failed thresholds (exit 99)');
  const k6Log = readFileSync(k6.logFile, 'utf8');
  const aborted = abortedBy(k6Log);
  if (aborted) reasons.unshift(`k6 stopped the run early, after ${formatMs(endedMs)}: an abortOnFail threshold on ${aborted.join(', ')} was crossed`);

  // An iterations run ends when its requests are done, often before its nominal phases do; an
  // interrupted one when it was stopped: phases (and the charts' series) cover only what ran.
  const measuredPhases = interrupted
    ? clipPhases(scenario.phases, endedMs)
    : scenario.load.executor === 'iterations'
      ? scenario.phases.map((p, i, all) => (i === all.length - 1 ? { ...p, endMs: Math.max(p.startMs + 1, Math.min(p.endMs, endedMs)) } : p))
      : scenario.phases;
  const droppedIterations = Number(summary?.metrics.dropped_iterations?.count ?? 0);
  const load = loadAccount(groups, scenario.phases, points.groups, k6Log, endedMs, scenario.load.maxShortfall);
  // A PASS on less load than planned says nothing; a FAIL on less load is still a FAIL.
  const inconclusive = interrupted ? undefined : (diagnostics.inconclusive() ?? inconclusiveOutcome(scenario, thresholdResultsList, points.stats.count('duration') + points.ws.connections, points.stats) ?? (reasons.length === 0 ? shortfallOutcome(load) : undefined));
  const lateness = applyLateness(timeline.events);
  const result: RunResult = {
    runId,
    scenario: scenario.name,
    description: scenario.description,
    profile: c.profileName,
    seed: environment.seed,
    target: c.target,
    startedAt: new Date(originMs).toISOString(),
    durationMs: endedMs,
    replay: replayLine(scenario, c, options, environment.seed),
    verdict: inconclusive ? 'INCONCLUSIVE' : reasons.length === 0 ? 'PASS' : 'FAIL',
    ...(inconclusive ? { inconclusive } : {}),
    reasons,
    phases: withWsMetrics(phaseMetrics(points.stats, measuredPhases), points.ws),
    timeline: timeline.events,
    thresholds: thresholdResultsList,
    recovery,
    invariants,
    series: timeSeries(points.stats, measuredPhases, measuredPhases.at(-1)!.endMs),
    load,
    context: {
      environment: environment.reused ? 'reused' : 'started by this run',
      k6: c.k6Version,
      load: c.script.shape === 'script' && !scenario.load.groups ? "the script's own options (stages, scenarios, VUs), with the scenario's thresholds added" : describeShape(groups),
      mitigations: invariantContext.mitigations ?? 'unknown (an app this run did not start)',
      scenarioFile: scenario.file,
      ...(lateness.length ? { timelineMaxLatenessMs: String(Math.max(...lateness)) } : {}),
      // Arrivals k6 could not start because every virtual user was busy (slow answers): throughput lost, not errors.
      ...(droppedIterations ? { droppedIterations: String(droppedIterations) } : {}),
      ...(interrupted ? { interrupted } : {}),
      ...(aborted ? { abortedBy: `abortOnFail threshold on ${aborted.join(', ')}` } : {}),
      ...(k6Outputs(k6Env.K6_OUT ?? process.env.K6_OUT).length || options.k6Args?.length ? { k6Args: [...k6Outputs(k6Env.K6_OUT ?? process.env.K6_OUT).map((o) => `--out ${o}`), ...(options.k6Args ?? [])].join(' ') } : {}),
      ...(options.seed !== undefined ? { requestedSeed: String(options.seed) } : {}),
    },
  };
  result.diagnostics = await diagnostics.collect(result, points, environment, c.config);
  options.timings?.mark('analysis');
  redactK6Files(runDir, secrets);
  await (await reports).writeReports(result, reportsDir, { env: secrets });
  options.timings?.mark('reports');
  const why = (inconclusive ? [inconclusive.detail] : reasons).map((line) => redact(line, secrets));
  say(`${result.verdict}: ${scenario.name} (${c.profileName}) in ${formatMs(endedMs)}${why.length ? `\n${why.map((r) => `  - ${r}`).join('\n')}` : ''}`);
  for (const line of loadLines(result)) say(`  load: ${line}`);
  say(`report: ${runDir}`);
  if (options.timings) say(options.timings.line(scenario.durationMs));
  const exitCode = interrupted ? 130 : inconclusive ? VERDICT_EXIT_CODES[inconclusive.kind] : VERDICT_EXIT_CODES[result.verdict as 'PASS' | 'FAIL'];
  return { result, runDir, exitCode };
}

/**
 * When a run cannot judge the app: no request was made at all (every iteration failed
 * before its first request), or the steady state was broken before any fault (a threshold
 * scoped to the first phase failed, and no fault started in that phase). Chaos Toolkit
 * checks its steady-state hypothesis first for the same reason.
 */
export function inconclusiveOutcome(scenario: Pick<Scenario, 'phases' | 'faults'>, thresholds: ThresholdResult[], requests: number, stats?: RequestStats): RunResult['inconclusive'] {
  if (requests === 0) {
    return { kind: 'load-shortfall', detail: 'the load generator made no request at all (does every iteration fail before its first request? see k6.log in the report folder)' };
  }
  const first = scenario.phases[0]!;
  if (scenario.faults.some((f) => f.atMs < first.endMs)) return undefined;
  // Errors of requests still in flight when the first fault hit are the fault's, not the baseline's.
  const firstFault = Math.min(...scenario.faults.map((f) => f.atMs));
  const faultOnly = (t: ThresholdResult) => !!stats && t.metric.startsWith('http_req_failed') && !stats.failedBefore(first.name, firstFault);
  const broken = thresholds.filter((t) => !t.ok && t.metric.includes(`phase:${first.name}`) && !faultOnly(t));
  if (broken.length === 0) return undefined;
  const list = broken.map((t) => `${t.metric} ${t.expression}${t.observed !== undefined ? ` (observed ${readable(t.metric, t.expression, t.observed)})` : ''}`).join(', ');
  return { kind: 'baseline-broken', detail: `the baseline was already broken before any fault: ${list} failed in phase ${first.name}; a FAIL would say nothing about the mitigations` };
}

/** The command that runs this again, as the user would type it where they are. */
function replayLine(scenario: Scenario, c: LoadContext, options: RunOptions, seed: number): string {
  // The config only when it is not the one found by default.
  const config = c.config.file.startsWith('(') || c.config.file === resolve(CONFIG_FILE) ? undefined : c.config.file;
  const quote = (v: string) => (/^[\w./:@=,+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  const parts = ['chaos', quote(rel(scenario.file)), '--profile', c.profileName, '--seed', String(seed)];
  if (options.target) parts.push('--target', quote(options.target));
  if (options.allowRemoteTarget) parts.push('--allow-remote-target');
  if (c.mitigations !== undefined) parts.push('--mitigations', quote(c.mitigations));
  if (options.timelineFile) parts.push('--timeline', quote(rel(options.timelineFile)));
  for (const key of Object.keys(options.env ?? {})) parts.push(...(options.secretEnv?.includes(key) ? ['--secret-env', key] : ['--env', `${key}=…`]));
  return commandHint(parts.join(' '), { config });
}

/** The phases up to `endMs`: later ones dropped, the one it fell in cut short (never empty: the first stays). */
function clipPhases(phases: Scenario['phases'], endMs: number): Scenario['phases'] {
  const ran = phases.filter((p, i) => i === 0 || p.startMs < endMs);
  return ran.map((p) => ({ ...p, endMs: Math.max(p.startMs + 1, Math.min(p.endMs, endMs)) }));
}

/** The judged thresholds as k6 gets them: object form where the scenario set abortOnFail / delayAbortEval. */
function k6ThresholdsOf(scenario: Scenario, profile: Profile, judged: Record<string, string[]>) {
  const vars = profileVariables(profile);
  return k6Thresholds(judged, scenario.assertions.thresholds, (expression) => fillPlaceholders(expression, vars, scenario.name));
}

/** The scenario's thresholds with profile placeholders filled in, plus the profile's own unless switched off. */
export function buildThresholds(scenario: Scenario, profile: Profile): Record<string, string[]> {
  const vars = profileVariables(profile);
  const fill = (expression: string) => fillPlaceholders(expression, vars, scenario.name);
  const thresholds: Record<string, string[]> = {};
  const add = (metric: string, expressions: string[]) => (thresholds[metric] = [...new Set([...(thresholds[metric] ?? []), ...expressions.map(fill)])]);
  const scope = scenario.assertions.profileThresholds;
  if (scope !== false) {
    const suffixes = scope === true ? [''] : scope.map((phase) => `{phase:${phase}}`);
    for (const suffix of suffixes) {
      add(`http_req_failed${suffix}`, ['rate<={maxErrorRate}']);
      add(`http_req_duration${suffix}`, ['p(95)<={p95TotalMs}']);
      if (scenario.load.streaming) add(`faultline_first_token${suffix}`, ['p(95)<={p95FirstTokenMs}']);
    }
  }
  for (const [metric, entries] of Object.entries(scenario.assertions.thresholds)) add(metric, entries.map(expressionOf));
  return thresholds;
}

async function checkInvariants(scenario: Scenario, ctx: InvariantContext): Promise<InvariantResult[]> {
  const results: InvariantResult[] = [];
  for (const invariant of scenario.invariants) {
    try {
      const outcome = await invariant.check(ctx);
      results.push(typeof outcome === 'boolean' ? { name: invariant.name, ok: outcome, detail: outcome ? 'holds' : 'violated' } : { name: invariant.name, ...outcome });
    } catch (error) {
      results.push({ name: invariant.name, ok: false, detail: `check failed: ${(error as Error).message}` });
    }
  }
  return results;
}

/**
 * What redact() takes secrets from: this process's environment, what k6 was given, and
 * every variable the config hands its services (an app's JWT secret, its DB password).
 */
function redactionEnv(config: ResolvedConfig, k6Env: Record<string, string>): NodeJS.ProcessEnv {
  const serviceEnv = Object.values(config.services).flatMap((options) => (options && typeof options.env === 'object' ? Object.entries(options.env as Record<string, string>) : []));
  return { ...process.env, ...Object.fromEntries(serviceEnv), ...k6Env };
}

/** The raw k6 files in the run folder, redacted in place: they carry URLs with provider keys. */
function redactK6Files(runDir: string, env: NodeJS.ProcessEnv): void {
  for (const file of ['k6.log', 'k6-summary.json', 'k6-summary.txt', 'k6-points.json']) {
    const path = join(runDir, file);
    if (existsSync(path)) writeFileSync(path, redact(readFileSync(path, 'utf8'), env));
  }
}
