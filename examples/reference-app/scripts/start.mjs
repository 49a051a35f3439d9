// Starts the reference app from an esbuild bundle of src/main.ts (its TypeScript compiled in,
// packages left as imports) instead of through tsx, which compiles every file at every start:
// the app is ready about a second sooner at each env up and in each pair test. The bundle is
// named after its content, so concurrent starts never see it half-written. It is written to a
// folder beside src/, so import.meta.dirname + '..' still finds migrations/ as from src/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  entryPoints: [join(root, 'src/main.ts')],
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
  logLevel: 'silent',
});
await stop();
const code = result.outputFiles[0].contents;
const cache = join(root, '.bundle');
const file = join(cache, `main-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
if (!existsSync(file)) {
  mkdirSync(cache, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, code);
  renameSync(partial, file);
}
await import(pathToFileURL(file).href);
