import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FaultlineError } from './errors.ts';

/**
 * A folder as a registry: every module in it is one plug-in (a service, a fault preset, a
 * mock fault) that default-exports itself, named after its file. Adding one is adding a
 * file; nothing keeps a list. Toxiproxy does the same with one self-registering file per
 * toxic. Index files, tests, type declarations and files starting with `_` are not plug-ins.
 */
export function pluginFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.d\.ts$|\.test\.[tj]s$/.test(f) && !/^(index|_)/.test(f))
    .sort();
}

/** The plug-in's name as its file gives it: `reset-peer.ts` → `reset-peer`. */
export const pluginName = (file: string) => basename(file).replace(/\.(ts|js|mjs)$/, '');

/** What a registry accepts: a value with its own name (`name` or `type`) and whatever `check` asks. */
export interface PluginKind<T> {
  /** For messages: "fault preset", "service", "llm fault". */
  what: string;
  /** The plug-in's own name, which must equal its file's. */
  nameOf(plugin: T): string;
  /** True when the default export is one of these. */
  is(value: unknown): value is T;
}

/**
 * Every plug-in in a folder, by name, in file order: pass the folder's URL (ending in "/"),
 * or `import.meta.url` of the folder's own index. A file that exports something else, or
 * names itself differently from its file, is a FaultlineError naming the file.
 */
export async function discover<T>(url: string | URL, kind: PluginKind<T>): Promise<Record<string, T>> {
  const path = fileURLToPath(url);
  const dir = path.endsWith('/') ? path.slice(0, -1) : dirname(path);
  const files = pluginFiles(dir);
  const modules = await Promise.all(files.map(async (file): Promise<[string, unknown]> => [file, await import(pathToFileURL(join(dir, file)).href)]));
  return register(modules, kind, dir);
}

/**
 * The same for `<dir>/<folder>/<file>`: one plug-in per sub-folder that has that file
 * (e.g. every mock folder with a `service.ts`).
 */
export async function discoverFolders<T>(dir: string, file: string, kind: PluginKind<T>): Promise<Record<string, T>> {
  const modules: Array<[string, unknown]> = [];
  if (!existsSync(dir)) return {};
  for (const folder of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const candidate = pluginFiles(join(dir, folder)).find((f) => pluginName(f) === file);
    if (candidate) modules.push([join(folder, candidate), await import(pathToFileURL(join(dir, folder, candidate)).href)]);
  }
  return register(modules, kind, dir, (path) => dirname(path));
}

/**
 * Builds the registry from already imported modules: `discover` at run time, and the static
 * imports a bundle puts in its place (see mocks/bundle.ts).
 */
export function register<T>(modules: Array<[file: string, module: unknown]>, kind: PluginKind<T>, dir = '', expectedName = (path: string) => pluginName(path)): Record<string, T> {
  const registry: Record<string, T> = {};
  for (const [file, module] of modules) {
    const plugin = (module as { default?: unknown }).default;
    const where = join(dir, file);
    if (!kind.is(plugin)) throw new FaultlineError(`${where}: expected a default export that is a ${kind.what} (e.g. \`export default define…({...})\`); files in this folder are ${kind.what}s.`);
    const name = kind.nameOf(plugin);
    if (name !== expectedName(file)) throw new FaultlineError(`${where}: the ${kind.what} is named "${name}", but its file says "${expectedName(file)}"; name the file after it.`);
    registry[name] = plugin;
  }
  return registry;
}
