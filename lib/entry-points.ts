import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './files.ts';

/** The folders of Faultline's own code: a user's module that imports from them shares this process's copy. */
export const CODE_FOLDERS = ['lib', 'env', 'mocks', 'toxics', 'runner', 'scripts'];

/** The package's entry points (its `exports`), each a file of the code tree without extension. */
const ENTRY_POINTS: Record<string, string> = {
  faultline: 'index',
  'faultline/k6': 'runner/k6/faultline.js',
  'faultline/k6/socketio': 'runner/k6/socketio.js',
  'faultline/k6/ws': 'runner/k6/ws.js',
  'faultline/mocks/llm': 'mocks/llm/handlers',
  'faultline/mocks/rpc': 'mocks/rpc/handlers',
  'faultline/mocks/farcaster': 'mocks/farcaster/handlers',
  'faultline/mocks/control': 'mocks/control/client',
};

/**
 * The file behind `import … from 'faultline…'` in this copy of Faultline: the TypeScript
 * source in the repository, the compiled JavaScript in the installed package. Undefined
 * for a specifier that is not one of the entry points.
 */
export function entryPointFile(specifier: string): string | undefined {
  const base = ENTRY_POINTS[specifier];
  if (!base) return undefined;
  if (/\.m?js$/.test(base)) return join(PACKAGE_ROOT, base);
  return [`${base}.ts`, `${base}.js`].map((f) => join(PACKAGE_ROOT, f)).find((f) => existsSync(f));
}

/** The specifiers a user may import. */
export const entryPoints = () => Object.keys(ENTRY_POINTS);
