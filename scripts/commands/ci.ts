import type { Command } from 'commander';
import { loadConfig } from '../../env/config.ts';
import { addRunFlags, exitOnInterrupt, k6ArgsOf, loadScenarios, type RunFlags, signOffFlags } from '../run-flags.ts';

/**
 * `faultline ci`: the sign-off CI runs — every scenario (or those named) with the smoke
 * profile (or --profile), one environment, one folder, and an exit code a job can gate
 * on: 0 only when every row passed, 1 on any FAIL, 2 on bad input or a run that could not
 * be made, 3 / 4 when the rest were inconclusive (baseline broken / load shortfall).
 */
export function registerCi(program: Command, global: () => { config?: string; k6Passthrough: string[] }): void {
  addRunFlags(
    program
      .command('ci')
      .description('every scenario (or the ones named) with the smoke profile, as one sign-off; exit 0 only when every run passed, 1 any FAIL, 2 bad input, 3/4 inconclusive')
      .argument('[scenarios...]', 'scenario names (default: every scenario in scenariosDir)'),
    { profile: ['smoke'] },
  ).action(async (names: string[], flags: RunFlags) => {
    const config = await loadConfig(global().config);
    const { scenarios, seed } = await loadScenarios(names, { ...flags, all: names.length === 0 }, config);
    const { runSignOff } = await import('../../runner/sign-off.ts');
    process.exitCode = (await exitOnInterrupt(runSignOff({ ...signOffFlags(flags, seed), k6Args: k6ArgsOf(flags, global().k6Passthrough), scenarios, config }))).exitCode;
  });
}
