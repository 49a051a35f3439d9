import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FaultlineError } from '../../lib/errors.ts';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../env/config.ts';
import { listScenarios } from '../../runner/scenario.ts';
import { EXIT } from '../exit-codes.ts';
import { chaosScripts } from '../npm-scripts.ts';

/** `faultline scripts`: one `npm run chaos:<name>` per scenario in package.json, derived from the scenarios folder. */
export function registerScripts(program: Command, global: () => { config?: string }): void {
  program
    .command('scripts')
    .description('write one npm script chaos:<name> per scenario into package.json (--check: exit 1 if they are not current)')
    .option('--check', 'change nothing; exit 1 when package.json is out of date')
    .action(async (flags: { check?: boolean }) => {
      const config = await loadConfig(global().config);
      const file = join(config.rootDir, 'package.json');
      if (!existsSync(file)) throw new FaultlineError(`No package.json in ${config.rootDir}: run \`faultline scripts\` at the root of your project.`);
      const text = readFileSync(file, 'utf8');
      const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
      const scripts = chaosScripts(pkg.scripts ?? {}, listScenarios(config.scenariosDir));
      const current = JSON.stringify(scripts) === JSON.stringify(pkg.scripts ?? {});
      if (flags.check) {
        console.log(current ? 'package.json scripts are current.' : 'package.json scripts are out of date: run `faultline scripts`.');
        if (!current) process.exitCode = EXIT.failed;
        return;
      }
      if (current) return console.log('package.json scripts are current.');
      const indent = /^(\s+)"/m.exec(text)?.[1] ?? '  ';
      writeFileSync(file, `${JSON.stringify({ ...pkg, scripts }, null, indent)}\n`);
      console.log(`Wrote ${Object.keys(scripts).filter((s) => s.startsWith('chaos:')).length} chaos:<name> scripts into ${file}.`);
    });
}
