import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
/** Under node_modules, so the bundle's package imports resolve against the repo's node_modules. */
const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'faultline', 'mocks');

/**
 * A mock's entry bundled into one ES module: our TypeScript compiled in, packages left as
 * imports. A mock then starts on plain node instead of compiling itself through tsx on
 * every start, which took about half its start-up time and CPU. Bundling takes a few
 * milliseconds, so it runs on every start and never serves stale code; the file is named
 * after its content hash, so concurrent env:ups never see it half-written.
 */
export async function bundleMock(name: string, entry: string): Promise<string> {
  const result = await build({
    entryPoints: [resolve(REPO_ROOT, entry)],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const file = join(CACHE_DIR, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${file}.${randomUUID()}.tmp`; // unique per writer, also across worker threads
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return file;
}
