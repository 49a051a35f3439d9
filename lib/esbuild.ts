import { build as esbuild, type BuildOptions, type OutputFile, stop } from 'esbuild';

let active = 0;

/**
 * esbuild's build(), with its service process stopped once no build is running: left
 * alone, that child outlives a CLI that exits with process.exit() for a moment, and is
 * then a stray process of a run that claims to leave nothing behind.
 */
export async function build(options: BuildOptions & { write: false }): Promise<{ outputFiles: OutputFile[] }> {
  active++;
  try {
    return await esbuild(options);
  } finally {
    if (--active === 0) await stop();
  }
}
