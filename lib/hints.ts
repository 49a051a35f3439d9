import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * How to run a Faultline command where the user is: `npm run env:down` where the
 * project's package.json has such a script, else `npx faultline env down`; with the
 * `--config` the user gave, so the hint reaches the same environment.
 */
export function commandHint(command: string, options: { config?: string; cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const flag = options.config ? ` --config ${relative(cwd, options.config) || options.config}` : '';
  // The longest leading part of the command a script runs; the rest goes after `--`.
  const words = command.split(' ');
  for (let n = words.length; n > 0; n--) {
    const script = npmScriptFor(words.slice(0, n).join(' '), cwd);
    const rest = `${flag}${n < words.length ? ` ${words.slice(n).join(' ')}` : ''}`;
    if (script) return `npm run ${script}${rest ? ` --${rest}` : ''}`;
  }
  return `npx faultline${flag} ${command}`;
}

/** The name of a package.json script that runs exactly `faultline <command>`, if the project has one. */
function npmScriptFor(command: string, cwd: string): string | undefined {
  let scripts: Record<string, string> = {};
  try {
    scripts = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  } catch {
    return undefined;
  }
  const wanted = new RegExp(`(^|\\s)(faultline|scripts/cli\\.ts)\\s+${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return Object.entries(scripts).find(([, body]) => wanted.test(body.trim()))?.[0];
}

/** A path as the user would type it from here. */
export function rel(path: string): string {
  return relative(process.cwd(), path) || path;
}
