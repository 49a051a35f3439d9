import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Plugin, version as esbuildVersion } from 'esbuild';
import { cachedBundle } from '../lib/bundle-cache.ts';
import { bundleStandalone } from '../lib/esbuild.ts';
import { pluginFiles } from '../lib/discover.ts';
import { PACKAGE_ROOT } from '../lib/files.ts';

/** Under node_modules, so the bundle's imports left external resolve against the repository's node_modules. */
export const MOCK_BUNDLE_DIR = join(PACKAGE_ROOT, 'node_modules', '.cache', 'faultline', 'mocks');

/**
 * The file a mock process runs. Compiled (the installed package): the entry's `.js` twin,
 * as is. From source (this repository): the entry bundled into one ES module with its
 * packages, so the mock starts on plain node and reads one file instead of compiling
 * itself through tsx and resolving hundreds of package files. A module reached only by a
 * dynamic import (the farcaster mock's message builders and @farcaster/core) stays lazy:
 * esbuild wraps it in an init function that runs at the import, whereas a package left
 * external would be a static import at the top of the bundle, loaded at start. The bundle
 * is cached: built again only when one of its input files or registry folders changed
 * (lib/bundle-cache.ts).
 */
export async function mockEntry(name: string, entry: string, cacheDir = MOCK_BUNDLE_DIR): Promise<string> {
  const compiled = resolve(PACKAGE_ROOT, entry.replace(/\.ts$/, '.js'));
  if (existsSync(compiled)) return compiled;
  const key = JSON.stringify({ entry, esbuild: esbuildVersion, node: process.versions.node });
  return cachedBundle(
    cacheDir,
    name,
    key,
    async () => {
      const listings: Record<string, string[]> = {};
      const { code, inputs } = await bundleStandalone(resolve(PACKAGE_ROOT, entry), { plugins: [staticDiscovery(listings)], root: PACKAGE_ROOT });
      return { code, inputs, listings };
    },
    pluginFiles,
  );
}

/**
 * A bundle has no folder to list, so a registry index that calls
 * `discover(import.meta.url, …)` (lib/discover.ts) gets the folder's plug-ins as static
 * imports instead, by the same rule that discover() lists them.
 */
const staticDiscovery = (listings: Record<string, string[]>): Plugin => ({
  name: 'faultline-static-discovery',
  setup(build) {
    build.onLoad({ filter: /[\\/]index\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!/\bdiscover\(import\.meta\.url,/.test(source)) return undefined;
      const files = pluginFiles(dirname(args.path));
      listings[dirname(args.path)] = files;
      const imports = files.map((f, i) => `import * as __plugin${i} from './${f}';`).join('\n');
      const modules = `[${files.map((f, i) => `[${JSON.stringify(f)}, __plugin${i}]`).join(', ')}]`;
      const contents = source
        .replace(/import \{([^}]*)\bdiscover\b([^}]*)\} from (['"][^'"]*discover\.ts['"]);/, (_m, a: string, b: string, from: string) => `import {${a}register${b}} from ${from};`)
        .replace(/\bawait discover\(import\.meta\.url,/g, `register(${modules},`);
      return { contents: `${imports}\n${contents}`, loader: 'ts', resolveDir: dirname(args.path), watchFiles: files.map((f) => join(dirname(args.path), f)) };
    });
  },
});
