import { join, relative } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig, RUNTIME_SETTINGS } from '../env/config.ts';
import { environmentStatus, startEnvironment, stopEnvironment } from '../env/environment.ts';
import { FaultlineError } from '../env/errors.ts';
import { stateFile } from '../env/state.ts';
import { TOOL_NAMES, Toolbox } from '../env/tools/toolbox.ts';
import { InterruptedError } from '../runner/errors.ts';
import { runScenario } from '../runner/run.ts';
import { loadScenario } from '../runner/scenario.ts';
import { loadTimelineFile, withTimeline } from '../runner/timeline-file.ts';
import { table } from './table.ts';

/** Exit codes: 0 ok, 1 a check failed (unhealthy env, FAIL verdict), 2 bad input or an environment that would not start, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, invalid: 2, interrupted: 130 } as const;

const program = new Command('faultline')
  .description('Local chaos and dependency simulation for web3 / social backends')
  .option('-c, --config <file>', 'config file (default: faultline.config.ts if present)')
  .addOption(
    new Option('--runtime <name>', 'how services run: local processes, containers (Docker), or auto; overrides the config (env: FAULTLINE_RUNTIME)').choices(RUNTIME_SETTINGS),
  )
  // loadConfig reads FAULTLINE_RUNTIME, so every command sees the flag the same way.
  .hook('preAction', () => {
    const { runtime } = program.opts<{ runtime?: string }>();
    if (runtime) process.env.FAULTLINE_RUNTIME = runtime;
  })
  .showHelpAfterError();

const env = program.command('env').description('bring the dependency environment up or down');

env
  .command('up')
  .description('start every configured service behind Toxiproxy (reuses a running environment)')
  .action(async () => {
    const config = await loadConfig(program.opts().config);
    const controller = new AbortController();
    const interrupt = () => {
      if (controller.signal.aborted) process.exit(EXIT.interrupted); // second Ctrl-C: give up waiting
      process.stderr.write('\ninterrupted: stopping what was started...\n');
      controller.abort(new FaultlineError('env:up was interrupted'));
    };
    process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
    try {
      const started = Date.now();
      const environment = await startEnvironment(config, { log: (line) => process.stderr.write(`  ${line}\n`), signal: controller.signal });
      const rows = [
        ['toxiproxy', 'up', environment.toxiproxyUrl, '(api)', ''],
        ...Object.values(environment.services).map((s) => [s.name, 'up', s.url, s.directUrl, s.version]),
      ];
      console.log(table(['service', 'status', 'url (through toxiproxy)', 'direct url', 'version'], rows));
      const verb = environment.reused ? 'already up, reused' : `up in ${Date.now() - started} ms`;
      console.log(`\nEnvironment ${verb} (seed ${environment.seed}).`);
      console.log(`Wrote ${rel(stateFile(config.stateDir))} and ${rel(config.dotenvFile)}. Stop it with \`npm run env:down\`.`);
    } catch (error) {
      if (controller.signal.aborted) {
        process.stderr.write('stopped everything that had started.\n');
        process.exit(EXIT.interrupted);
      }
      throw error;
    }
  });

env
  .command('down')
  .description('stop every service of the environment, free its ports and remove its state')
  .action(async () => {
    const config = await loadConfig(program.opts().config);
    const started = Date.now();
    const stopped = await stopEnvironment(config);
    console.log(stopped ? `Environment stopped in ${Date.now() - started} ms.` : 'No environment was running.');
  });

env
  .command('status')
  .description('health of each service now, directly and through its proxy')
  .action(async () => {
    const config = await loadConfig(program.opts().config);
    const { state, services } = await environmentStatus(config);
    if (!state) {
      console.log('No environment is running. Start one with `npm run env:up`.');
      process.exitCode = EXIT.failed;
      return;
    }
    const rows = services.map((s) => [
      s.name,
      s.pid ? String(s.pid) : (s.containerId?.slice(0, 12) ?? '-'),
      !s.alive ? 'process gone' : s.directError ? `unhealthy: ${s.directError}` : s.proxyError ? `proxy broken: ${s.proxyError}` : 'healthy',
      s.url ?? '-',
      s.version ?? '-',
    ]);
    console.log(table(['service', 'pid/container', 'health', 'url', 'version'], rows));
    console.log(`\nstatus: ${state.status}, started ${state.startedAt}, seed ${state.seed}`);
    if (services.some((s) => !s.alive || s.directError || s.proxyError)) process.exitCode = EXIT.failed;
  });

program
  .command('doctor')
  .description('list every tool Faultline runs: version, path and how it was found')
  .option('--install', 'provision missing tools (go install, apt-get)')
  .action(async (options: { install?: boolean }) => {
    const config = await loadConfig(program.opts().config);
    const toolbox = new Toolbox(join(config.home, 'bin'));
    const rows: string[][] = [];
    for (const name of TOOL_NAMES) {
      try {
        const tool = options.install ? await toolbox.get(name) : await toolbox.find(name);
        rows.push(tool ? [name, tool.version, tool.path, tool.source] : [name, 'missing', '-', 'run `npm run doctor -- --install`']);
      } catch (error) {
        rows.push([name, 'missing', '-', (error as Error).message.split('\n')[0]!]);
        process.exitCode = EXIT.failed;
      }
    }
    rows.push(['node', process.version, process.execPath, 'running']);
    console.log(table(['tool', 'version', 'path', 'found via'], rows));
    if (rows.some((r) => r[1] === 'missing')) process.exitCode = EXIT.failed;
  });

program
  .command('chaos')
  .description('run a scenario: k6 load against the target while its fault timeline plays; exit 0 PASS, 1 FAIL, 2 invalid input')
  .argument('<scenario>', 'a folder name under scenarios/ (e.g. rpc-throttle) or a path to a scenario.ts')
  .option('-p, --profile <name>', 'load profile: smoke, baseline, stress or one the scenario defines')
  .option('--target <url>', "where the load goes (default: the scenario's, usually APP_URL); loopback only unless --allow-remote-target")
  .option('--allow-remote-target', 'allow a target that is not on this machine')
  .option('--timeline <file>', "replay an incident: a YAML/JSON timeline that replaces the scenario's phases and faults")
  .option('--mitigations <list>', 'FAULTLINE_MITIGATIONS for an app this run starts, e.g. all, none, -rpc-fallback')
  .option('--seed <n>', 'seed for an environment this run starts', (v) => Number.parseInt(v, 10))
  .option('--reports <dir>', 'where reports/<run-id>/ go', 'reports')
  .action(async (name: string, options: { profile?: string; target?: string; allowRemoteTarget?: boolean; timeline?: string; mitigations?: string; seed?: number; reports: string }) => {
    const config = await loadConfig(program.opts().config);
    let scenario = await loadScenario(name);
    let seed = options.seed;
    if (options.timeline) {
      const timeline = loadTimelineFile(options.timeline);
      scenario = withTimeline(scenario, timeline);
      seed ??= timeline.seed;
      console.error(`timeline: replaying ${timeline.name ?? options.timeline} (${timeline.faults.length} fault(s))`);
    }
    const started = Date.now();
    const outcome = await runScenario({
      scenario,
      profile: options.profile,
      config,
      target: options.target,
      allowRemoteTarget: options.allowRemoteTarget,
      mitigations: options.mitigations,
      seed,
      reportsDir: options.reports,
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

function rel(path: string): string {
  return relative(process.cwd(), path) || path;
}

// The one top-level error handler: expected failures print their message, anything else its stack.
try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof FaultlineError) {
    console.error(`\n✖ ${error.message}`);
  } else {
    console.error('\n✖ Unexpected error (this is a Faultline bug; please report it):');
    console.error(error);
  }
  process.exit(EXIT.invalid);
}
