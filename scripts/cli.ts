#!/usr/bin/env node
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

export { EXIT };

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
  // A bad flag is bad input (exit 2), like every other mistake; help and --version are not.
  .exitOverride()
  .showHelpAfterError();

/** The options every command shares: the config file the user named, if any. */
export const globalOptions = () => program.opts<{ config?: string }>();

registerEnv(program, globalOptions);
registerDoctor(program);
registerChaos(program, globalOptions);
registerCi(program, globalOptions);
registerList(program, globalOptions);
registerScripts(program, globalOptions);
registerInit(program);
registerExport(program, globalOptions);
registerAnalyse(program);

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

// The one top-level error handler: expected failures print their message, anything else its stack.
try {
  await program.parseAsync(joinDashValues(process.argv));
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.invalid);
  } else if (error instanceof FaultlineError) {
    console.error(`\n✖ ${redact(error.message)}`);
  } else {
    console.error('\n✖ Unexpected error (this is a Faultline bug; please report it):');
    console.error(error);
  }
  process.exit(EXIT.invalid);
}
