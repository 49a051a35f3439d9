import { type Command, InvalidArgumentError } from 'commander';
import type { ResolvedConfig } from '../env/config.ts';
import { FaultlineError } from '../lib/errors.ts';
import { InterruptedError } from '../runner/errors.ts';
import { EXIT } from './exit-codes.ts';
import type { HealthCheck } from '../runner/health-preflight.ts';
import { listScenarios, loadScenario, type Scenario } from '../runner/scenario.ts';
import type { SignOffOptions } from '../runner/sign-off.ts';
import { loadTimelineFile, withTimeline } from '../runner/timeline-file.ts';

const seedFlag = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 31) throw new InvalidArgumentError('expected a whole number from 0 to 2147483648');
  return Number(value);
};

/** `--env KEY=VALUE`, repeatable, into one record. */
const envFlag = (value: string, previous: Record<string, string> = {}) => {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  if (!match) throw new InvalidArgumentError('expected KEY=VALUE, e.g. --env TENANT_ID=demo');
  return { ...previous, [match[1]!]: match[2]! };
};

/** `--secret-env NAME`, repeatable: the name only; the value is read from this process's environment, never from argv. */
const secretEnvFlag = (value: string, previous: string[] = []) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new InvalidArgumentError('expected the name of an environment variable, e.g. --secret-env APP_JWT_SECRET (its value stays in the environment)');
  if (value.includes('=')) throw new InvalidArgumentError('a name only: the value is read from the environment, never from the command line');
  return [...previous, value];
};

/** A repeatable flag's values, in order. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--profile smoke,baseline,stress`. */
const profilesFlag = (value: string) => {
  const names = value.split(',').map((p) => p.trim());
  if (names.some((n) => !/^[A-Za-z][\w-]*$/.test(n))) throw new InvalidArgumentError('expected profile names separated by commas, e.g. smoke,baseline,stress');
  return names;
};

const statusFlag = (value: string) => {
  if (!/^[1-5]\d\d$/.test(value)) throw new InvalidArgumentError('expected an HTTP status, e.g. 200');
  return Number(value);
};

export interface RunFlags {
  all?: boolean;
  env?: Record<string, string>;
  secretEnv?: string[];
  profile?: string[];
  target?: string;
  allowRemoteTarget?: boolean;
  health?: string;
  healthStatus?: number;
  /** commander's `--no-faults`: false when given. */
  faults: boolean;
  dependenciesProxiedHere?: boolean;
  timeline?: string;
  mitigations?: string;
  seed?: number;
  reports: string;
  reportDir?: string;
  failFast?: boolean;
  issue?: string;
  k6Arg?: string[];
  out?: string[];
}

/** The flags `chaos` and `ci` share: what runs, against what, with what, and where the reports go. */
export function addRunFlags(command: Command, defaults: { profile?: string[] } = {}): Command {
  return command
    .option('-p, --profile <names>', 'load profiles in order, comma-separated: smoke, baseline, stress or ones the scenario defines', profilesFlag, defaults.profile)
    .option('--target <url>', "where the load goes (default: the scenario's target, your app); loopback only unless --allow-remote-target")
    .option('--allow-remote-target', 'allow a target that is not on this machine (a deployed URL)')
    .option('--health <path>', 'before any load, GET this path on --target must answer --health-status (default for a remote target: /api/health; "none" skips it)')
    .option('--health-status <code>', 'the status --health must answer', statusFlag, 200)
    .option('--no-faults', "run the load and thresholds without the scenario's faults (e.g. against a deployed target)")
    .option('--dependencies-proxied-here', "a remote target reaches its dependencies through this machine's proxies, so the faults may play")
    .option('--timeline <file>', "replay an incident: a YAML/JSON timeline that replaces the scenario's phases and faults (one scenario only)")
    .option('--mitigations <list>', 'the mitigations of the app this run starts, e.g. all, none, -rpc-fallback')
    .option('--seed <n>', 'seed for an environment this run starts', seedFlag)
    .option('--env <KEY=VALUE>', 'a value for the k6 script (__ENV.KEY), repeatable; values of keys that look secret are redacted', envFlag)
    .option('--secret-env <NAME>', 'pass the environment variable NAME to the k6 script as a secret: read from the environment, redacted everywhere, never written; repeatable', secretEnvFlag)
    .option('--report-dir <dir>', 'the sign-off folder for several runs (default: a new reports/sign-off-<time>/); an existing one is never written over')
    .option('--fail-fast', 'stop at the first run that does not pass')
    .option('--issue <n>', 'the issue CLOSE-COMMANDS.sh comments on and closes (a number or its URL)')
    .option('--reports <dir>', 'where reports/<run-id>/ of a single run go', 'reports')
    .option('--k6-arg <arg>', 'a flag for `k6 run`, repeatable (e.g. --k6-arg=--http-debug); or put k6 flags after --', collect)
    .option('--out <output>', "a k6 output beside Faultline's own, repeatable (e.g. experimental-prometheus-rw); K6_OUT's are added too", collect);
}

/** The flags for `k6 run`: outputs, --k6-arg, then whatever came after `--`. */
export function k6ArgsOf(flags: RunFlags, passthrough: string[]): string[] {
  return [...(flags.out ?? []).flatMap((o) => ['--out', o]), ...(flags.k6Arg ?? []), ...passthrough];
}

/** The scenarios named (or every scenario with --all), loaded and validated, with an incident timeline applied when one is given. */
export async function loadScenarios(names: string[], flags: RunFlags, config: ResolvedConfig): Promise<{ scenarios: Scenario[]; seed?: number }> {
  if (flags.all && names.length > 0) throw new FaultlineError(`--all runs every scenario; drop the names (${names.join(', ')}) or --all.`);
  const chosen = flags.all ? listScenarios(config.scenariosDir) : names;
  if (chosen.length === 0) {
    throw new FaultlineError(flags.all ? `--all: no scenarios in ${config.scenariosDir}.` : 'Name a scenario (e.g. `faultline chaos example`), several, or --all for every scenario.');
  }
  let scenarios: Scenario[] = [];
  for (const name of chosen) scenarios.push(await loadScenario(name, config.scenariosDir));
  let seed = flags.seed;
  if (flags.timeline) {
    if (scenarios.length > 1) throw new FaultlineError(`--timeline replaces one scenario's timeline; ${scenarios.length} scenarios were named.`);
    const timeline = loadTimelineFile(flags.timeline);
    scenarios = [withTimeline(scenarios[0]!, timeline)];
    seed ??= timeline.seed;
    console.error(`timeline: replaying ${timeline.name ?? flags.timeline} (${timeline.faults.length} fault(s))`);
  }
  return { scenarios, seed };
}

/** A run interrupted before its load (Ctrl-C while the environment starts) exits 130, as one interrupted during it does. */
export function exitOnInterrupt<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    if (error instanceof InterruptedError) {
      console.error(`\n${error.message}`);
      process.exit(EXIT.interrupted);
    }
    throw error;
  });
}

/** `--secret-env NAME`: the values, read from this process's environment (a missing one is bad input). */
export function secretValues(names: string[] = []): Record<string, string> {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) throw new FaultlineError(`--secret-env ${missing.join(', ')}: not set in the environment. Export ${missing.length > 1 ? 'them' : 'it'} first (e.g. from your CI's secrets); the value is never taken from the command line.`);
  return Object.fromEntries(names.map((name) => [name, process.env[name]!]));
}

/** `--health /path` / `none`, into the preflight the run makes (undefined: the default for the target). */
export function healthOf(flags: RunFlags): HealthCheck | false | undefined {
  if (flags.health === 'none') return false;
  if (flags.health === undefined) return undefined;
  if (!flags.health.startsWith('/')) throw new FaultlineError(`--health ${flags.health}: expected a path starting with "/", e.g. /api/health, or "none"`);
  return { path: flags.health, status: flags.healthStatus ?? 200 };
}

/** What the flags ask of a sign-off, besides the scenarios and the config. */
export function signOffFlags(flags: RunFlags, seed: number | undefined): Omit<SignOffOptions, 'scenarios' | 'config'> {
  const secrets = secretValues(flags.secretEnv);
  return {
    profiles: flags.profile ?? [],
    target: flags.target,
    allowRemoteTarget: flags.allowRemoteTarget,
    mitigations: flags.mitigations,
    seed,
    env: { ...flags.env, ...secrets },
    secretEnv: flags.secretEnv,
    timelineFile: flags.timeline,
    reportDir: flags.reportDir,
    reportsRoot: flags.reports,
    failFast: flags.failFast,
    issue: flags.issue,
    health: healthOf(flags),
    skipFaults: !flags.faults,
    dependenciesProxied: flags.dependenciesProxiedHere,
    handleSignals: true,
  };
}
