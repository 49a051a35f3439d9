import { resolve } from 'node:path';
import { build, type BuildOptions, type Metafile, type OutputFile, type Plugin, stop } from 'esbuild';
import { FaultlineError } from './errors.ts';

let active = 0;

/** The module could not be compiled: the first error, with file:line:column. */
export class BundleError extends FaultlineError {}

/** One ES module for Node from `entry`: our TypeScript compiled in, packages left as imports. */
export async function bundleForNode(entry: string, options: { plugins?: Plugin[]; sourcemap?: boolean } = {}): Promise<Uint8Array> {
  const result = await esbuild({
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: options.sourcemap ? 'inline' : false,
    plugins: options.plugins ?? [],
  });
  return result.outputFiles[0]!.contents;
}

/**
 * esbuild's build() in memory; a compile error is a BundleError with the first error's
 * file:line:column. esbuild's service process is stopped once no build is running: left
 * alone, that child outlives a CLI that exits with process.exit() for a moment, a stray
 * process of a run that claims to leave nothing behind.
 */
export async function esbuild(options: BuildOptions): Promise<{ outputFiles: OutputFile[]; metafile?: Metafile }> {
  active++;
  try {
    return await build({ ...options, write: false, logLevel: 'silent' }).catch((error: { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }) => {
      const first = error.errors?.[0];
      const where = first?.location ? `${resolve(first.location.file)}:${first.location.line}:${first.location.column}: ` : '';
      throw new BundleError(`${where}${first?.text ?? String(error)}`);
    });
  } finally {
    if (--active === 0) await stop();
  }
}
