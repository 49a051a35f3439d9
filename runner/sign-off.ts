import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type ResolvedConfig, resolveConfig } from '../env/config.ts';
import { type Environment, isResolved, startEnvironment } from '../env/environment.ts';
import { readState } from '../env/state.ts';
import { FaultlineError } from '../lib/errors.ts';
import { rel } from '../lib/hints.ts';
import { planEnvironment } from './environment-plan.ts';
import { InterruptedError } from './errors.ts';
import { checkHealth, DEFAULT_HEALTH, type HealthCheck } from './health-preflight.ts';
import { faultsForTarget, type RemoteFaultOptions } from './remote-faults.ts';
import { redact } from './reports/redact.ts';
import { artifactLink } from './reports/step-summary.ts';
import type { RunResult } from './result.ts';
import { type RunOptions, runScenario } from './run.ts';
import type { Scenario } from './scenario.ts';
import { checkIssue } from './sign-off/close-commands.ts';
import { failureGroups } from './sign-off/failure-samples.ts';
import { earlierAttempts, newPackFolder } from './sign-off/folder.ts';
import { keyNumbers, runSamples } from './sign-off/key-numbers.ts';
import { rowsTable } from './sign-off/overview.ts';
import { PACK_FILES, writePack } from './sign-off/pack.ts';
import type { SignOffPack, SignOffRow } from './sign-off/types.ts';
import { overallOf, verdictMark } from './sign-off/verdict.ts';
import { checkTarget, isLoopback } from './target.ts';

export interface SignOffOptions extends Omit<RunOptions, 'scenario' | 'profile' | 'reportsDir'>, RemoteFaultOptions {
  /** Run in this order, each with every profile. */
  scenarios: Scenario[];
  /** Profiles in order (smoke, baseline, stress); empty: each scenario's default profile. */
  profiles: string[];
  /** The sign-off folder; default `<reportsRoot>/sign-off-<stamp>`. An existing one is never written over: the run goes beside it. */
  reportDir?: string;
  /** Where a default sign-off folder goes; default `<rootDir>/reports`. */
  reportsRoot?: string;
  /** Stop at the first row that does not pass; the rest are listed as not run. */
  failFast?: boolean;
  /** `--issue`: a number or an issue URL, for CLOSE-COMMANDS.sh. */
  issue?: string;
  /** `GET <path>` → status before any load. Default: `GET /api/health` → 200 for a target on another machine, none for a local one. `false`: none. */
  health?: HealthCheck | false;
}

export interface SignOffOutcome {
  pack: SignOffPack;
  /** The sign-off folder. */
  dir: string;
  /** 0 every row passed, 1 a FAIL, 2 a row could not run, 3 / 4 inconclusive, 130 interrupted. */
  exitCode: number;
}

/** A secret asked for by name (`--secret-env`) that is too short to redact reliably. Exit code 2. */
export class SecretTooShortError extends FaultlineError {
  constructor(name: string, length: number) {
    super(`--secret-env ${name}: its value has ${length} characters; at least 8 are needed to redact it reliably from every report. Use a longer secret.`);
  }
}

/**
 * Runs every scenario × profile in order in one environment (the running one, or one it
 * starts once and stops at the end) and writes the sign-off pack: per profile its summary,
 * report and junit, OVERVIEW.md, CLOSURE.md, COMMENT.md, FINAL-STEPS.md, and
 * CLOSE-COMMANDS.sh when every row passed. Everything that can be checked (scenarios,
 * profiles, faults against the target, secrets, the target's health) is checked before
 * the first load. Throws FaultlineError (exit 2) on bad input.
 */
export async function runSignOff(options: SignOffOptions): Promise<SignOffOutcome> {
  const out = options.out ?? process.stderr;
  const say = (line: string) => out.write(`${line}\n`);
  const baseConfig = isResolved(options.config) ? options.config : resolveConfig(options.config);
  const remote = !!options.target && !isLoopback(options.target);
  if (options.issue) checkIssue(options.issue);
  if (options.target) checkTarget(options.target, options.allowRemoteTarget ?? false, () => {});
  for (const key of options.secretEnv ?? []) {
    const value = options.env?.[key];
    if (value === undefined) throw new FaultlineError(`--secret-env ${key}: the sign-off was not given its value (set ${key} in the environment).`);
    if (value.length < 8) throw new SecretTooShortError(key, value.length);
  }
  const scenarios = options.scenarios.map((s) => faultsForTarget(s, options.target, options));
  const rows = plannedRows(scenarios, options.profiles);
  const config = planAll(scenarios, baseConfig, options);
  const health = options.health === false ? undefined : (options.health ?? (remote ? DEFAULT_HEALTH : undefined));
  if (options.target && health) {
    await checkHealth(options.target, health);
    say(`preflight: GET ${health.path} → ${health.status} at ${options.target}`);
  }

  const dir = newPackFolder(options.reportDir, options.reportsRoot ?? join(baseConfig.rootDir, 'reports'));
  const multi = scenarios.length > 1;
  const pack: SignOffPack = {
    kind: 'faultline-sign-off',
    verdict: 'NOT RUN',
    exitCode: 2,
    startedAt: new Date().toISOString(),
    target: options.target ?? "this machine's environment",
    remote,
    scenarios: scenarios.map((s) => s.name),
    profiles: [...new Set(rows.map((r) => r.row.profile))],
    rows: rows.map((r) => r.row),
    ...(options.issue ? { issue: options.issue } : {}),
    attempts: [],
    context: signOffContext(scenarios, options, health),
  };
  pack.attempts = earlierAttempts(dir, pack);
  const secrets = { ...process.env, ...options.env, ...Object.fromEntries((options.secretEnv ?? []).map((key, i) => [`FAULTLINE_SECRET_ENV_${i}`, options.env?.[key]])) };
  await writePack(dir, pack, secrets);
  say(`sign-off: ${rows.length} run(s) into ${rel(dir)}${pack.attempts.length ? ` (earlier attempt: ${pack.attempts[0]!.dir}, ${pack.attempts[0]!.verdict})` : ''}`);

  // Between runs a signal ends the sign-off; during one, the run handles it (and reports 130).
  let stopping: string | undefined;
  const startup = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    stopping ??= signal;
    startup.abort(new InterruptedError(signal, 'while the environment was starting'));
  };
  if (options.handleSignals) process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const onAbort = () => startup.abort(new InterruptedError('abort', 'while the environment was starting'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let environment: Environment | undefined;
  let interrupted = false;
  try {
    if (readState(config.stateDir)?.status !== 'up') {
      const started = Date.now();
      environment = await startEnvironment(config, { log: (line) => say(`  ${line}`), signal: startup.signal }).catch(async (error: unknown) => {
        // The folder says why nothing ran, then the error goes on as for a single run (exit 2, or 130).
        const why = startup.signal.aborted ? 'interrupted while the environment was starting' : `the environment would not start: ${redact((error as Error).message.split('\n')[0]!, secrets)}`;
        for (const { row } of rows) Object.assign(row, { verdict: startup.signal.aborted ? 'NOT RUN' : 'ERROR', reasons: [why] });
        await writePack(dir, { ...pack, ...overallOf(pack.rows, startup.signal.aborted), finishedAt: new Date().toISOString() }, secrets);
        throw startup.signal.aborted ? startup.signal.reason : error;
      });
      say(`environment: up in ${Date.now() - started} ms for every run of the sign-off (seed ${environment.seed})`);
    }
    for (const [i, { scenario, row }] of rows.entries()) {
      if (stopping || options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const prefix = multi ? `${scenario.name}/` : '';
      say(`\n[${i + 1}/${rows.length}] ${scenario.name} · ${row.profile}`);
      try {
        const outcome = await runScenario({ ...options, scenario, profile: row.profile, config, reportsDir: join(dir, 'runs'), out });
        Object.assign(row, rowOf(outcome.result, outcome.exitCode, outcome.runDir, dir, prefix));
        if (outcome.exitCode === 130) interrupted = true;
      } catch (error) {
        if (error instanceof InterruptedError) {
          interrupted = true;
        } else if (error instanceof FaultlineError) {
          Object.assign(row, { verdict: 'ERROR', exitCode: 2, reasons: [redact(error.message.split('\n')[0]!, secrets)] });
          say(`ERROR: ${scenario.name} (${row.profile}): ${redact(error.message, secrets)}`);
        } else {
          throw error;
        }
      }
      await writePack(dir, { ...pack, ...overallOf(pack.rows, false) }, secrets);
      if (interrupted) break;
      if (options.failFast && row.verdict !== 'PASS') {
        for (const rest of rows.slice(i + 1)) rest.row.reasons = ['--fail-fast: stopped after a row that did not pass'];
        break;
      }
    }
  } finally {
    if (options.handleSignals) process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    options.signal?.removeEventListener('abort', onAbort);
    if (environment) {
      await environment.stop();
      say('environment: stopped (the sign-off started it)');
    }
  }
  if (interrupted) for (const { row } of rows) if (row.verdict === 'NOT RUN' && row.reasons[0] === 'pending') row.reasons = ['interrupted before it ran'];
  Object.assign(pack, overallOf(pack.rows, interrupted), { finishedAt: new Date().toISOString() });
  await writePack(dir, pack, secrets);
  appendStepSummary(pack, dir, secrets);
  say(`\nsign-off ${verdictMark(pack.verdict).replace(/\*/g, '')}: ${rows.map((r) => `${r.row.scenario}/${r.row.profile} ${r.row.verdict}`).join(', ')}`);
  say(`pack: ${rel(dir)} (${Object.values(PACK_FILES).filter((f) => existsSync(join(dir, f))).join(', ')})`);
  return { pack, dir, exitCode: pack.exitCode };
}

/** Every scenario × profile, scenario by scenario, each profile checked to exist before anything runs. */
function plannedRows(scenarios: Scenario[], profiles: string[]): Array<{ scenario: Scenario; row: SignOffRow }> {
  const problems: string[] = [];
  const rows = scenarios.flatMap((scenario) =>
    (profiles.length ? [...new Set(profiles)] : [scenario.load.defaultProfile]).flatMap((profile) => {
      if (!scenario.load.profiles[profile]) {
        problems.push(`${scenario.name} has no profile "${profile}" (known: ${Object.keys(scenario.load.profiles).join(', ')})`);
        return [];
      }
      const p = scenario.load.profiles[profile]!;
      const levels = { success: p.success, p95TotalMs: p.p95TotalMs, ...(scenario.load.streaming ? { p95FirstTokenMs: p.p95FirstTokenMs } : {}) };
      return [{ scenario, row: { scenario: scenario.name, profile, verdict: 'NOT RUN' as const, reasons: ['pending'], scenarioFile: rel(scenario.file), levels } }];
    }),
  );
  if (problems.length > 0) throw new FaultlineError(`--profile: ${problems.join('; ')}`);
  if (new Set(scenarios.map((s) => s.name)).size !== scenarios.length) throw new FaultlineError(`Scenarios named twice: ${scenarios.map((s) => s.name).join(', ')}`);
  return rows;
}

/**
 * The one environment every run shares: a running one must already have what each
 * scenario needs; otherwise the config with every scenario's services added. Each
 * scenario's faults, targets and mitigations are checked here, before anything starts.
 */
function planAll(scenarios: Scenario[], config: ResolvedConfig, options: SignOffOptions): ResolvedConfig {
  const state = readState(config.stateDir);
  const running = state?.status === 'up' ? state : undefined;
  let planned = config;
  for (const scenario of scenarios) planned = planEnvironment(scenario, running ? config : planned, options, running).config;
  return running ? config : planned;
}

/** A finished run as its row: verdict, numbers, failures, and its files copied into the pack under `<prefix><profile>-…`. */
function rowOf(result: RunResult, exitCode: number, runDir: string, dir: string, prefix: string): Partial<SignOffRow> {
  const name = (file: string) => `${prefix}${result.profile}-${file}`;
  const files = { summary: name('summary.json'), report: name('report.md'), html: name('report.html'), junit: name('junit.xml') };
  mkdirSync(dirname(join(dir, files.summary)), { recursive: true });
  for (const [from, to] of [['summary.json', files.summary], ['report.md', files.report], ['report.html', files.html], ['junit.xml', files.junit]] as const) {
    copyFileSync(join(runDir, from), join(dir, to));
  }
  const originMs = Date.parse(result.startedAt);
  const samples = runSamples(runDir, result.startedAt);
  return {
    verdict: result.verdict,
    exitCode,
    ...(result.inconclusive ? { inconclusive: result.inconclusive } : {}),
    reasons: result.inconclusive ? [result.inconclusive.detail] : result.reasons,
    numbers: keyNumbers(samples),
    failures: failureGroups(join(runDir, 'k6-points.json'), originMs),
    files,
    runDir: relative(dir, runDir),
    runId: result.runId,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    seed: result.seed,
    ...(result.replay ? { replay: result.replay } : {}),
    ...(result.context.droppedIterations ? { droppedIterations: Number(result.context.droppedIterations) } : {}),
  };
}

/** What ran against what, beyond the rows: mitigations, faults, secrets by name, the preflight, the commit. */
function signOffContext(scenarios: Scenario[], options: SignOffOptions, health: HealthCheck | undefined): Record<string, string> {
  const faults = scenarios.reduce((n, s) => n + s.faults.length, 0);
  const context: Record<string, string> = {
    faults: options.skipFaults ? 'none (--no-faults)' : faults === 0 ? 'none (the scenarios play none)' : `${faults} across ${scenarios.length} scenario(s)`,
    mitigations: options.mitigations ?? 'as the app is configured',
  };
  if (health && options.target) context.preflight = `GET ${health.path} → ${health.status}`;
  const envKeys = Object.keys(options.env ?? {}).filter((k) => !options.secretEnv?.includes(k));
  if (envKeys.length) context['k6 --env'] = envKeys.join(', ');
  if (options.secretEnv?.length) context.secrets = options.secretEnv.map((k) => `$${k}`).join(', ');
  const commit = commitOfWorkingTree();
  if (commit) context.commit = commit;
  return context;
}

/** The commit the sign-off ran from: CI's, else the working tree's, when it is a git checkout. */
function commitOfWorkingTree(): string | undefined {
  if (process.env.GITHUB_SHA) return process.env.GITHUB_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * GitHub Actions' job summary, once per sign-off: the verdict, the row table, the first
 * reason of each row that did not pass, and where the artifact is. (Each run has already
 * added its own closure.)
 */
function appendStepSummary(pack: SignOffPack, dir: string, env: NodeJS.ProcessEnv): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const lines = [`## Faultline sign-off: ${verdictMark(pack.verdict)}`, '', ...rowsTable(pack.rows, false), ''];
  for (const r of pack.rows.filter((r) => r.verdict !== 'PASS' && r.reasons[0])) lines.push(`- ${r.scenario} (${r.profile}): ${r.reasons[0]}`);
  lines.push('', `Pack: \`${rel(dir)}\`${artifactLink(process.env) ? `,${artifactLink(process.env)}` : ''}.`, '', '');
  appendFileSync(file, redact(lines.join('\n'), env));
}
