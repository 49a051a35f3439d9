import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { BundleError, bundleForNode } from './esbuild.ts';
import { parse as parseYaml } from 'yaml';
import { ConfigInvalidError } from './errors.ts';
import { CODE_FOLDERS, entryPointFile, entryPoints } from './entry-points.ts';
import { PACKAGE_ROOT } from './files.ts';

/**
 * Imports a user's TypeScript or JavaScript module (faultline.config.ts, a scenario.ts) as
 * ES module, whatever their package's module type: it is bundled with esbuild into a
 * temporary `.mjs` beside it (so its imports resolve as they would from the file itself),
 * imported, and removed. Vite loads vite.config.ts the same way. Packages stay imports,
 * and so do Faultline's own files, so the user's module shares this process's Faultline.
 * The bundle's errors (a syntax error, a missing import) come back as `BundleError`.
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  if (/\.json$/i.test(file)) return { default: JSON.parse(readFileSync(file, 'utf8')) };
  if (/\.ya?ml$/i.test(file)) return { default: parseYaml(readFileSync(file, 'utf8')) };
  const code = await bundleForNode(file, { plugins: [faultlineExternal], sourcemap: true });
  const temp = join(dirname(file), `.${randomUUID().slice(0, 8)}.faultline.mjs`);
  writeFileSync(temp, code);
  try {
    return (await import(pathToFileURL(temp).href)) as Record<string, unknown>;
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * `import … from 'faultline'` (and its sub-paths) resolves to this process's own copy, and
 * imports of Faultline's own code folders stay imports: one Faultline per process. A
 * user's own files (and this repository's scenarios and examples) are bundled in.
 */
const faultlineExternal: Plugin = {
  name: 'faultline-external',
  setup(build) {
    build.onResolve({ filter: /^faultline(\/.*)?$/ }, (args) => {
      const file = entryPointFile(args.path);
      if (!file) return { errors: [{ text: `"${args.path}" is not an entry point of faultline; there are ${entryPoints().join(', ')}` }] };
      return { path: pathToFileURL(file).href, external: true };
    });
    build.onResolve({ filter: /^(\.|\/)/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const path = isAbsolute(args.path) ? args.path : resolve(args.resolveDir, args.path);
      const inside = relative(PACKAGE_ROOT, path);
      const [folder] = inside.split(/[\\/]/);
      const ours = !inside.startsWith('..') && !isAbsolute(inside) && (CODE_FOLDERS.includes(folder!) || inside === 'index.ts' || inside === 'index.js');
      return ours ? { path: pathToFileURL(path).href, external: true } : undefined;
    });
    // A bundled file's import.meta would be the temporary bundle's: give each file its own
    // (examples/reference-app/service.ts runs its app from import.meta.dirname).
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!/\bimport\.meta\.(dirname|filename|url)\b/.test(source)) return undefined;
      const own = { dirname: dirname(args.path), filename: args.path, url: pathToFileURL(args.path).href };
      const contents = source.replace(/\bimport\.meta\.(dirname|filename|url)\b/g, (_, key: keyof typeof own) => JSON.stringify(own[key]));
      const extension = /\.([cm]?)([jt]sx?)$/.exec(args.path)![2] as 'js' | 'ts' | 'jsx' | 'tsx';
      return { contents, loader: extension, resolveDir: dirname(args.path) };
    });
  },
};

/**
 * A user's file (config, scenario) as a module, every way it can fail turned into a
 * ConfigInvalidError (or `ErrorClass`) naming the file: not found, a directory, a syntax
 * error, an import that does not resolve, a top-level throw.
 */
export async function loadFile(file: string, ErrorClass: new (file: string, issues: string[]) => Error = ConfigInvalidError): Promise<{ default?: unknown }> {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new ErrorClass(file, ['file not found']);
  if (!stat.isFile()) throw new ErrorClass(file, ['(root): expected a file, found a directory']);
  try {
    return await importUserModule(file);
  } catch (error) {
    const reason = error instanceof BundleError ? `could not be compiled: ${error.message}` : `threw while loading: ${(error as Error)?.message ?? String(error)}`;
    throw new ErrorClass(file, [`(root): ${reason}`]);
  }
}
