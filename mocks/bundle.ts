import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { bundleForNode } from '../lib/esbuild.ts';
import { pluginFiles } from '../lib/discover.ts';
import { PACKAGE_ROOT } from '../lib/files.ts';

/** Under node_modules, so the bundle's package imports resolve against the repository's node_modules. */
const CACHE_DIR = join(PACKAGE_ROOT, 'node_modules', '.cache', 'faultline', 'mocks');

/**
 * The file a mock process runs. Compiled (the installed package): the entry's `.js` twin,
 * as is. From source (this repository): the entry bundled into one ES module, our
 * TypeScript compiled in and packages left as imports, so the mock starts on plain node
 * instead of compiling itself through tsx (about half its start-up time). Bundling takes
 * milliseconds, so it runs on every start and never serves stale code; the file is named
 * after its content hash, so concurrent env:ups never see it half-written.
 */
export async function mockEntry(name: string, entry: string): Promise<string> {
  const compiled = resolve(PACKAGE_ROOT, entry.replace(/\.ts$/, '.js'));
  if (existsSync(compiled)) return compiled;
  const code = await bundleForNode(resolve(PACKAGE_ROOT, entry), { plugins: [staticDiscovery] });
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
 * A bundle has no folder to list, so a registry index that calls
 * `discover(import.meta.url, …)` (lib/discover.ts) gets the folder's plug-ins as static
 * imports instead, by the same rule that discover() lists them.
 */
const staticDiscovery: Plugin = {
  name: 'faultline-static-discovery',
  setup(build) {
    build.onLoad({ filter: /[\\/]index\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!/\bdiscover\(import\.meta\.url,/.test(source)) return undefined;
      const files = pluginFiles(dirname(args.path));
      const imports = files.map((f, i) => `import * as __plugin${i} from './${f}';`).join('\n');
      const modules = `[${files.map((f, i) => `[${JSON.stringify(f)}, __plugin${i}]`).join(', ')}]`;
      const contents = source
        .replace(/import \{([^}]*)\bdiscover\b([^}]*)\} from (['"][^'"]*discover\.ts['"]);/, (_m, a: string, b: string, from: string) => `import {${a}register${b}} from ${from};`)
        .replace(/\bawait discover\(import\.meta\.url,/g, `register(${modules},`);
      return { contents: `${imports}\n${contents}`, loader: 'ts', resolveDir: dirname(args.path), watchFiles: files.map((f) => join(dirname(args.path), f)) };
    });
  },
};
