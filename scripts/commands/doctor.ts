import type { Command } from 'commander';
import { TOOL_NAMES, Toolbox } from '../../env/tools/toolbox.ts';
import { EXIT } from '../exit-codes.ts';
import { commandHint } from '../../lib/hints.ts';
import { table } from '../table.ts';

/** `faultline doctor`: every tool Faultline runs, where it was found, and provisioning of missing ones. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('list every tool Faultline runs: version, path and how it was found')
    .option('--install', 'provision missing tools (go install, apt-get)')
    .action(async (options: { install?: boolean }) => {
      const toolbox = new Toolbox();
      const rows: string[][] = [];
      for (const name of TOOL_NAMES) {
        try {
          const tool = options.install ? await toolbox.get(name) : await toolbox.find(name);
          rows.push(tool ? [name, tool.version, tool.path, tool.source] : [name, 'missing', '-', `run \`${commandHint('doctor --install')}\``]);
        } catch (error) {
          rows.push([name, 'missing', '-', (error as Error).message.split('\n')[0]!]);
        }
      }
      rows.push(['node', process.version, process.execPath, 'running']);
      console.log(table(['tool', 'version', 'path', 'found via'], rows));
      if (rows.some((r) => r[1] === 'missing')) process.exitCode = EXIT.failed;
    });
}
