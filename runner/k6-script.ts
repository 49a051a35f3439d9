import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';
import { esbuild } from '../lib/esbuild.ts';
import { entryPointFile } from '../lib/entry-points.ts';
import { ScenarioInvalidError } from './errors.ts';

/** A k6 script ready to run, and how its load is shaped. */
export interface PreparedScript {
  /** What k6 runs: the script itself, or a bundle beside it. */
  file: string;
  /** `helper`: the script takes its load shape from Faultline's plan; `script`: its own `options` (stages, scenarios, vus) are kept. */
  shape: 'helper' | 'script';
  /** Removes the bundle, if one was written. */
  cleanup(): void;
  /** The script's exports (the functions a load group may run). */
  exports: string[];
  /** The script with everything it imports but k6's own modules, for what it declares (its custom metrics). */
  code: string;
  /** It imports faultline/k6/socketio: its targets must be Socket.IO servers. */
  socketIo: boolean;
}

/** k6's own modules and remote modules stay imports; k6 resolves them itself. */
const isK6Module = (specifier: string) => /^k6(\/|$)/.test(specifier) || /^https?:\/\//.test(specifier);
const HELPER = () => entryPointFile('faultline/k6')!;
const LIFECYCLE = new Set(['options', 'setup', 'teardown', 'handleSummary', 'default']);

/**
 * Prepares a scenario's k6 script. A script that imports Faultline's helper (by a relative
 * path, as this repository's do, or as `faultline/k6`) takes its load shape and thresholds
 * from the run's plan. Any other script is an existing k6 script, kept as it is: a wrapper
 * tags its requests by phase, waits for the time origin after its own setup, and adds the
 * scenario's thresholds to its own. Bare imports (`faultline/k6`, npm packages) are bundled
 * with esbuild, since k6 cannot resolve them; the bundle sits beside the script, so the
 * script's `open('./data.json')` still finds its files. `bundle: true` always makes one
 * file of it (the helper inlined), for a run on other machines.
 */
export async function prepareK6Script(script: string, options: { bundle?: boolean } = {}): Promise<PreparedScript> {
  const seen = { helper: false, bare: false, socketIo: false };
  const analysis = await bundle(script, seen).catch((error: Error) => {
    throw new ScenarioInvalidError(script, [`load.script: k6 script could not be compiled: ${error.message.split('\n').slice(0, 3).join(' ')}`]);
  });
  if (seen.helper) {
    // One self-contained file when asked (a ConfigMap, `k6 archive`), else the script itself where k6 can resolve it.
    if (!seen.bare && !options.bundle) return { file: script, shape: 'helper', cleanup: () => {}, exports: analysis.exports, code: analysis.code, socketIo: seen.socketIo };
    return writeBeside(script, analysis.code, 'helper', { ...analysis, socketIo: seen.socketIo });
  }
  const exports = analysis.exports;
  // A script that exports nothing to run is k6's to refuse, in its own words.
  if (!exports.some((name) => name !== 'options')) return { file: script, shape: 'script', cleanup: () => {}, exports, code: analysis.code, socketIo: seen.socketIo };
  const wrapper = [
    `import * as user from ${JSON.stringify(script)};`,
    `import * as faultline from ${JSON.stringify(HELPER())};`,
    'export const options = faultline.adopt(user.options);',
    `export function setup(data) { const result = ${exports.includes('setup') ? 'user.setup(data)' : 'undefined'}; faultline.waitForOrigin(); return result; }`,
    ...(exports.includes('default') ? ['export default faultline.iteration(user.default);'] : []),
    ...exports.filter((name) => !LIFECYCLE.has(name)).map((name) => `export const ${name} = typeof user.${name} === 'function' ? faultline.iteration(user.${name}) : user.${name};`),
    ...['teardown', 'handleSummary'].filter((name) => exports.includes(name)).map((name) => `export const ${name} = user.${name};`),
  ].join('\n');
  const wrapped = await bundle(script, { helper: false, bare: false, socketIo: false }, wrapper);
  return writeBeside(script, wrapped.code, 'script', { ...analysis, socketIo: seen.socketIo });
}

function writeBeside(script: string, code: string, shape: PreparedScript['shape'], analysis: { exports: string[]; code: string; socketIo: boolean }): PreparedScript {
  const file = join(dirname(script), `.${basename(script, '.js')}.faultline-${randomUUID().slice(0, 8)}.js`);
  writeFileSync(file, code);
  return { file, shape, cleanup: () => rmSync(file, { force: true }), exports: analysis.exports, code: analysis.code, socketIo: analysis.socketIo };
}

/** One ES module for k6 from the script (or from `wrapper`, which imports it), with its export names. */
async function bundle(script: string, seen: { helper: boolean; bare: boolean; socketIo: boolean }, wrapper?: string): Promise<{ code: string; exports: string[] }> {
  const plugin: Plugin = {
    name: 'faultline-k6',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (isK6Module(args.path)) return { path: args.path, external: true };
        if (args.path === 'faultline/k6') {
          seen.helper = seen.bare = true;
          return { path: HELPER() };
        }
        // Faultline's other k6 modules (faultline/k6/socketio), from this copy of Faultline.
        const entry = args.path.startsWith('faultline/k6/') ? entryPointFile(args.path) : undefined;
        if (entry) {
          seen.bare = true;
          return { path: entry };
        }
        if (!/^[./]/.test(args.path)) seen.bare = true;
        return undefined;
      });
      b.onLoad({ filter: /faultline\.js$/ }, (args) => {
        if (args.path === HELPER()) seen.helper = true;
        return undefined;
      });
      b.onLoad({ filter: /socketio\.js$/ }, (args) => {
        if (args.path === entryPointFile('faultline/k6/socketio')) seen.socketIo = true;
        return undefined;
      });
    },
  };
  const result = await esbuild({
    ...(wrapper ? { stdin: { contents: wrapper, resolveDir: dirname(script), sourcefile: 'faultline-wrapper.js' } } : { entryPoints: [script] }),
    bundle: true,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    plugins: [plugin],
  });
  const output = Object.values(result.metafile!.outputs)[0];
  return { code: result.outputFiles[0]!.text, exports: output?.exports ?? [] };
}
