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
 * One self-contained ES module for Node from `entry`: packages bundled in too (but
 * `external` ones), so the process loads one file instead of resolving and reading hundreds
 * (msw, zod and viem are most of a mock's start-up). CommonJS packages get the `require`,
 * `__filename` and `__dirname` they expect. Returns the inputs, for a cache to check.
 */
export async function bundleStandalone(entry: string, options: { plugins?: Plugin[]; external?: string[]; root: string }): Promise<{ code: Uint8Array; inputs: string[] }> {
  const result = await esbuild({
    entryPoints: [entry],
    bundle: true,
    external: options.external ?? [],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    absWorkingDir: options.root,
    metafile: true,
    plugins: options.plugins ?? [],
    banner: {
      js: [
        "import { createRequire as __faultlineRequire } from 'node:module';",
        "import { fileURLToPath as __faultlineFile } from 'node:url';",
        'const require = __faultlineRequire(import.meta.url);',
        'const __filename = __faultlineFile(import.meta.url);',
        "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
      ].join('\n'),
    },
  });
  const inputs = Object.keys(result.metafile!.inputs).filter((file) => !file.includes(':')).map((file) => resolve(options.root, file));
  return { code: result.outputFiles[0]!.contents, inputs };
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
