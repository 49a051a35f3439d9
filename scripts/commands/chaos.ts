import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type ResolvedConfig } from '../../env/config.ts';
import type { Scenario } from '../../runner/scenario.ts';
import { checkHealth, DEFAULT_HEALTH } from '../../runner/health-preflight.ts';
import { faultsForTarget } from '../../runner/remote-faults.ts';
import { runScenario } from '../../runner/run.ts';
import { checkTarget, isLoopback } from '../../runner/target.ts';
import { RunTimings } from '../../runner/timings.ts';
import { addRunFlags, exitOnInterrupt, k6ArgsOf, loadScenarios, type RunFlags, signOffFlags } from '../run-flags.ts';

/**
 * `faultline chaos <scenario>`: one scenario's load, fault timeline and verdict. Several
 * profiles (`--profile smoke,baseline,stress`), several scenarios or `--all`, or a
 * `--report-dir` make it a sign-off: every run in one environment, one folder, one verdict.
 */
export function registerChaos(program: Command, global: () => { config?: string; k6Passthrough: string[] }): void {
  addRunFlags(
    program
      .command('chaos')
      .description('run scenarios: k6 load against the target while the fault timeline plays; exit 0 PASS, 1 FAIL, 2 invalid input, 3/4 inconclusive')
      .argument('[scenarios...]', 'scenario names (folders under scenariosDir, e.g. rpc-throttle) or paths to scenario files')
      .option('--all', 'every scenario in scenariosDir')
      .option('--k6-summary', "print k6's own end-of-test summary after a single run's verdict (it is always kept in k6-summary.txt)")
      .option('--timings', "print where a single run's time went at its end: start-up, prepare, environment, load setup, k6 start, load, analysis, reports"),
  ).action(async (names: string[], flags: RunFlags & { k6Summary?: boolean; timings?: boolean }) => {
    const config = await loadConfig(global().config);
    const { scenarios, seed } = await loadScenarios(names, flags, config);
    const started = Date.now();
    const signOff = scenarios.length > 1 || (flags.profile?.length ?? 0) > 1 || flags.all || flags.reportDir !== undefined || flags.issue !== undefined || flags.failFast;
    const k6Args = k6ArgsOf(flags, global().k6Passthrough);
    // A single run (what a developer repeats) starts without the sign-off's modules.
    const exitCode = signOff
      ? (await exitOnInterrupt((await import('../../runner/sign-off.ts')).runSignOff({ ...signOffFlags(flags, seed), k6Args, scenarios, config }))).exitCode
      : await exitOnInterrupt(runOne(scenarios[0]!, flags, seed, config, k6Args));
    console.error(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exitCode = exitCode;
  });
}

/** One scenario, one profile, into reports/<run-id>/ as always. */
async function runOne(scenario: Scenario, flags: RunFlags & { k6Summary?: boolean; timings?: boolean }, seed: number | undefined, config: ResolvedConfig, k6Args: string[]): Promise<number> {
  const options = signOffFlags(flags, seed);
  const health = options.health === false ? undefined : (options.health ?? (flags.target && !isLoopback(flags.target) ? DEFAULT_HEALTH : undefined));
  // Refused before anything reaches it: a remote target needs --allow-remote-target even for its health check.
  if (flags.target) checkTarget(flags.target, flags.allowRemoteTarget ?? false, () => {});
  const ready = faultsForTarget(scenario, flags.target, options);
  if (flags.target && health) await checkHealth(flags.target, health);
  const outcome = await runScenario({ ...options, k6Args, scenario: ready, profile: flags.profile?.[0], config, reportsDir: flags.reports, ...(flags.timings ? { timings: startedTimings() } : {}) });
  if (flags.k6Summary) printK6Summary(outcome.runDir);
  return outcome.exitCode;
}

/** Timings from this process's start: Node, tsx and the imports, the config and the scenario loaded are the first step. */
function startedTimings(): RunTimings {
  const timings = new RunTimings(Math.round(performance.timeOrigin));
  timings.mark('start-up');
  return timings;
}

/** k6's own end-of-test summary of a run (already redacted in its folder), after Faultline's verdict. */
function printK6Summary(runDir: string): void {
  const file = join(runDir, 'k6-summary.txt');
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  console.error(text ? `\nk6's end-of-test summary (${file}):\n${text}\n` : `\nk6 printed no end-of-test summary (see ${join(runDir, 'k6.log')})`);
}
