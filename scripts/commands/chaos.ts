import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../env/config.ts';
import { InterruptedError } from '../../runner/errors.ts';
import { runScenario } from '../../runner/run.ts';
import { loadScenario } from '../../runner/scenario.ts';
import { loadTimelineFile, withTimeline } from '../../runner/timeline-file.ts';
import { EXIT } from '../exit-codes.ts';

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

interface ChaosFlags {
  env?: Record<string, string>;
  profile?: string;
  target?: string;
  allowRemoteTarget?: boolean;
  timeline?: string;
  mitigations?: string;
  seed?: number;
  reports: string;
}

/** `faultline chaos <scenario>`: one scenario's load, fault timeline and verdict. */
export function registerChaos(program: Command, global: () => { config?: string }): void {
  program
    .command('chaos')
    .description('run a scenario: k6 load against the target while its fault timeline plays; exit 0 PASS, 1 FAIL, 2 invalid input')
    .argument('<scenario>', 'a scenario name (a folder under scenariosDir, e.g. rpc-throttle) or a path to a scenario file')
    .option('-p, --profile <name>', 'load profile: smoke, baseline, stress or one the scenario defines')
    .option('--target <url>', "where the load goes (default: the scenario's target, your app); loopback only unless --allow-remote-target")
    .option('--allow-remote-target', 'allow a target that is not on this machine')
    .option('--timeline <file>', "replay an incident: a YAML/JSON timeline that replaces the scenario's phases and faults")
    .option('--mitigations <list>', 'the mitigations of the app this run starts, e.g. all, none, -rpc-fallback')
    .option('--seed <n>', 'seed for an environment this run starts', seedFlag)
    .option('--env <KEY=VALUE>', 'a value for the k6 script (__ENV.KEY), repeatable; values of keys that look secret are redacted', envFlag)
    .option('--reports <dir>', 'where reports/<run-id>/ go', 'reports')
    .action(async (name: string, flags: ChaosFlags) => {
      const config = await loadConfig(global().config);
      let scenario = await loadScenario(name, config.scenariosDir);
      let seed = flags.seed;
      if (flags.timeline) {
        const timeline = loadTimelineFile(flags.timeline);
        scenario = withTimeline(scenario, timeline);
        seed ??= timeline.seed;
        console.error(`timeline: replaying ${timeline.name ?? flags.timeline} (${timeline.faults.length} fault(s))`);
      }
      const started = Date.now();
      const outcome = await runScenario({
        scenario,
        profile: flags.profile,
        config,
        target: flags.target,
        allowRemoteTarget: flags.allowRemoteTarget,
        mitigations: flags.mitigations,
        seed,
        env: flags.env,
        timelineFile: flags.timeline,
        reportsDir: flags.reports,
        handleSignals: true,
      }).catch((error: unknown) => {
        if (error instanceof InterruptedError) {
          console.error(`\n${error.message}`);
          process.exit(EXIT.interrupted);
        }
        throw error;
      });
      console.error(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.exitCode = outcome.exitCode;
    });
}
