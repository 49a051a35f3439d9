import { join } from 'node:path';
import { TOOL_NAMES, Toolbox } from '../env/tools/toolbox.ts';

/**
 * Provision every tool once, before any test worker starts, so parallel suites never
 * race to `go install` or `apt-get` the same thing. On a fresh machine this is the slow part.
 */
export default async function setup(): Promise<void> {
  const toolbox = new Toolbox();
  for (const name of TOOL_NAMES) await toolbox.get(name);
}
