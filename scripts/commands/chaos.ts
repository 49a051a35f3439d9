import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../env/config.ts';
import { InterruptedError } from '../../runner/errors.ts';
import { runScenario } from '../../runner/run.ts';
import { loadScenario } from '../../runner/scenario.ts';
import { loadTimelineFile, withTimeline } from '../../runner/timeline-file.ts';
import { EXIT } from '../exit-codes.ts';
import { FaultlineError } from '../../lib/errors.ts';

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

/** A repeatable flag's values, in order. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

interface ChaosFlags {
  k6Arg?: string[];
  out?: string[];
  k6Summary?: boolean;
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
    .argument('[k6-flags...]', 'after --: flags for `k6 run`, passed as they are (e.g. -- --http-debug --tag team=web)')
    .option('-p, --profile <name>', 'load profile: smoke, baseline, stress or one the scenario defines')
    .option('--target <url>', "where the load goes (default: the scenario's target, your app); loopback only unless --allow-remote-target")
    .option('--allow-remote-target', 'allow a target that is not on this machine')
    .option('--timeline <file>', "replay an incident: a YAML/JSON timeline that replaces the scenario's phases and faults")
    .option('--mitigations <list>', 'the mitigations of the app this run starts, e.g. all, none, -rpc-fallback')
    .option('--seed <n>', 'seed for an environment this run starts', seedFlag)
    .option('--env <KEY=VALUE>', 'a value for the k6 script (__ENV.KEY), repeatable; values of keys that look secret are redacted', envFlag)
    .option('--reports <dir>', 'where reports/<run-id>/ go', 'reports')
    .option('--k6-arg <arg>', 'a flag for `k6 run`, repeatable (e.g. --k6-arg=--http-debug); or put k6 flags after --', collect)
    .option('--out <output>', "a k6 output beside Faultline's own, repeatable (e.g. experimental-prometheus-rw); K6_OUT's are added too", collect)
    .option('--k6-summary', "print k6's own end-of-test summary after the verdict (it is always kept in k6-summary.txt)")
    .action(async (name: string, passthrough: string[], flags: ChaosFlags) => {
      // Operands after the scenario are k6's only when they come after `--`; anything else is a typo.
      const dashes = process.argv.indexOf('--');
      const stray = passthrough.filter((_, i) => dashes < 0 || process.argv.length - dashes - 1 < passthrough.length - i);
      if (stray.length > 0) throw new FaultlineError(`unexpected argument ${stray.join(' ')}: k6 flags go after -- (or use --k6-arg)`);
      const k6Args = [...(flags.out ?? []).flatMap((o) => ['--out', o]), ...(flags.k6Arg ?? []), ...passthrough];
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
        k6Args,
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
      if (flags.k6Summary) printK6Summary(outcome.runDir);
      console.error(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.exitCode = outcome.exitCode;
    });
}

/** k6's own end-of-test summary of a run (already redacted in its folder), after Faultline's verdict. */
function printK6Summary(runDir: string): void {
  const file = join(runDir, 'k6-summary.txt');
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  console.error(text ? `\nk6's end-of-test summary (${file}):\n${text}\n` : `\nk6 printed no end-of-test summary (see ${join(runDir, 'k6.log')})`);
}
