import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { pluginFiles } from '../../lib/discover.ts';

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
    plugins: [staticDiscovery],
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

/**
 * STAND-IN, to be replaced by the real plugin (written elsewhere). A bundle's
 * `import.meta.url` is the bundle, not the folder a registry index lists, so an index
 * `export default await discover(import.meta.url, kind)` is rewritten into static imports of
 * the folder's plug-ins handed to `register` (lib/discover.ts), which checks them alike.
 */
const staticDiscovery: Plugin = {
  name: 'faultline-static-discovery',
  setup(build) {
    build.onLoad({ filter: /[\\/]index\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('await discover(import.meta.url,')) return undefined;
      const files = pluginFiles(dirname(args.path));
      const imports = files.map((file, i) => `import * as __plugin${i} from './${file}';`).join('\n');
      const modules = `[${files.map((file, i) => `[${JSON.stringify(file)}, __plugin${i}]`).join(', ')}]`;
      const contents = source
        .replace(/import\s*\{\s*discover\s*\}\s*from\s*(['"][^'"]*discover\.ts['"]);?/, (_m, from: string) => `import { register as __register } from ${from};\n${imports}`)
        .replace('await discover(import.meta.url,', `__register(${modules},`);
      return { contents, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};
