import { Command, CommanderError, Option } from 'commander';
import { RUNTIME_SETTINGS } from '../env/config.ts';
import { FaultlineError } from '../lib/errors.ts';
import { redact } from '../runner/reports/redact.ts';
import { registerAnalyse } from './commands/analyse.ts';
import { registerChaos } from './commands/chaos.ts';
import { registerCi } from './commands/ci.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEnv } from './commands/env.ts';
import { registerExport } from './commands/export.ts';
import { registerInit } from './commands/init.ts';
import { registerList } from './commands/list.ts';
import { registerScripts } from './commands/scripts.ts';
import { EXIT } from './exit-codes.ts';

/** The faultline command line, with every command registered: a new one each call (commander keeps parse state). */
export function program(k6Passthrough: string[] = []): Command {
  const cli = new Command('faultline')
    .description('Local chaos and dependency simulation for web3 / social backends')
    .option('-c, --config <file>', 'config file (default: faultline.config.ts if present)')
    .addOption(
      new Option('--runtime <name>', 'how services run: local processes, containers (Docker), or auto; overrides the config (env: FAULTLINE_RUNTIME)').choices(RUNTIME_SETTINGS),
    )
    // loadConfig reads FAULTLINE_RUNTIME, so every command sees the flag the same way.
    .hook('preAction', (_, command) => {
      const { runtime } = cli.opts<{ runtime?: string }>();
      if (runtime) process.env.FAULTLINE_RUNTIME = runtime;
      if (k6Passthrough.length > 0 && !K6_COMMANDS.has(command.name())) {
        throw new FaultlineError(`${k6Passthrough.join(' ')}: flags after -- go to k6, and only chaos and ci run k6.`);
      }
    })
    // A bad flag is bad input (exit 2), like every other mistake; help and --version are not.
    .exitOverride()
    .showHelpAfterError('(add --help for the options)');
  const globalOptions = () => ({ ...cli.opts<{ config?: string }>(), k6Passthrough });
  registerEnv(cli, globalOptions);
  registerDoctor(cli);
  registerChaos(cli, globalOptions);
  registerCi(cli, globalOptions);
  registerList(cli, globalOptions);
  registerScripts(cli, globalOptions);
  registerInit(cli);
  registerExport(cli, globalOptions);
  registerAnalyse(cli);
  return cli;
}

/** The commands that run k6, and so take its flags after `--`. */
const K6_COMMANDS = new Set(['chaos', 'ci']);

/** `--mitigations -cache-fallback` reads as two flags to commander: join a value that starts with "-" to its flag. */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--mitigations' && next?.startsWith('-') && !next.startsWith('--')) out.push(`--mitigations=${argv[++i]}`);
    else out.push(argv[i]!);
  }
  return out;
}

/**
 * Runs one command line (`args` as typed after `faultline`) and resolves to its exit code.
 * The one top-level error handler: expected failures (FaultlineError) print their message,
 * anything else its stack as a bug.
 */
export async function main(args: string[]): Promise<number> {
  process.exitCode = undefined;
  try {
    // What follows the first `--` is k6's (`faultline chaos x -- --http-debug`), never a scenario name.
    const dashes = args.indexOf('--');
    const own = dashes < 0 ? args : args.slice(0, dashes);
    await program(dashes < 0 ? [] : args.slice(dashes + 1)).parseAsync(joinDashValues(own), { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    if (error instanceof FaultlineError) {
      console.error(`\n✖ ${redact(error.message)}`);
    } else {
      console.error('\n✖ Unexpected error (this is a Faultline bug; please report it):');
      console.error(error);
    }
    return EXIT.invalid;
  } finally {
    process.exitCode = undefined;
  }
}
