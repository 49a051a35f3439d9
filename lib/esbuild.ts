import { build, type Plugin, stop } from 'esbuild';
import { FaultlineError } from './errors.ts';

let active = 0;

/** The module could not be compiled: the first error, with file:line:column. */
export class BundleError extends FaultlineError {}

/**
 * One ES module for Node from `entry`: our TypeScript compiled in, packages left as
 * imports. esbuild's service process is stopped once no bundle is being built: left
 * alone, that child outlives a CLI that exits with process.exit() for a moment, a stray
 * process of a run that claims to leave nothing behind.
 */
export async function bundleForNode(entry: string, options: { plugins?: Plugin[]; sourcemap?: boolean } = {}): Promise<Uint8Array> {
  active++;
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      sourcemap: options.sourcemap ? 'inline' : false,
      plugins: options.plugins ?? [],
    }).catch((error: { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }) => {
      const first = error.errors?.[0];
      const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
      throw new BundleError(`${where}${first?.text ?? String(error)}`);
    });
    return result.outputFiles[0]!.contents;
  } finally {
    if (--active === 0) await stop();
  }
}
