// The reference app as one esbuild bundle of src/main.ts (scripts/start.mjs runs it), instead
// of tsx, which compiles every file at every start. Its packages are bundled in too, bullmq
// included (its Lua scripts are JavaScript modules since 5.x; left out, it loaded a second
// ioredis and resolved its own packages at every start: ≈ 0.4 s), so node reads one file
// instead of resolving a thousand. The bundle is built once and reused until one of its inputs changes:
// a manifest beside it keeps the content hash, size and mtime of every input file, checked at each start
// (a few milliseconds, where bundling took hundreds). Bundles are named after their content
// and written to a temporary name first, so concurrent starts never see one half-written.
// It lives in a folder beside src/, so import.meta.dirname + '..' still finds migrations/.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const EXTERNAL = [];
const sha = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/** Writes whole or not at all: a name of its own first, then renamed. */
function writeAtomically(file, data) {
  const partial = `${file}.${randomUUID()}.tmp`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

/** The cached bundle, if every input it was built from is unchanged. */
function cached(cache, manifestFile) {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const file = join(cache, manifest.bundle);
    if (!existsSync(file)) return undefined;
    for (const [input, { hash, size, mtimeMs }] of Object.entries(manifest.inputs)) {
      const now = statSync(input);
      // Same size and mtime: unchanged, without reading it; else the content decides.
      if ((now.size !== size || now.mtimeMs !== mtimeMs) && sha(readFileSync(input)) !== hash) return undefined;
    }
    return file;
  } catch {
    return undefined; // no manifest, or an input is gone
  }
}

// Packages resolved from the app's own folder whoever imports them, so the bundle has one copy: viem and ox pin
// @noble/curves 1.9.1 beside the app's 1.9.7 (same API), and each copy computed its secp256k1 tables again at start.
const ONE_COPY = /^@noble\/curves(\/|$)/;
const oneCopy = (root) => ({
  name: 'one-copy',
  setup(build) {
    build.onResolve({ filter: ONE_COPY }, (args) =>
      args.pluginData === 'one-copy' ? undefined : build.resolve(args.path, { kind: args.kind, resolveDir: root, pluginData: 'one-copy' }),
    );
  },
});

let building = 0;

async function bundle(root, cache, manifestFile) {
  const { build, stop } = await import('esbuild');
  building++;
  const result = await build({
    entryPoints: [join(root, 'src/main.ts')],
    bundle: true,
    external: EXTERNAL,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    absWorkingDir: root,
    metafile: true,
    write: false,
    plugins: [oneCopy(root)],
    logLevel: 'silent',
    // CommonJS packages inside an ES module still find require, __filename and __dirname.
    banner: {
      js: [
        "import { createRequire as __appRequire } from 'node:module';",
        "import { fileURLToPath as __appFile } from 'node:url';",
        'const require = __appRequire(import.meta.url);',
        'const __filename = __appFile(import.meta.url);',
        "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
      ].join('\n'),
    },
  }).finally(async () => {
    // esbuild's service process would keep the app's event loop alive: stopped once no build runs.
    if (--building === 0) await stop();
  });
  const code = result.outputFiles[0].contents;
  mkdirSync(cache, { recursive: true });
  const name = `main-${sha(code)}.mjs`;
  if (!existsSync(join(cache, name))) writeAtomically(join(cache, name), code);
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs)
      .filter((f) => !f.includes(':'))
      .map((f) => resolve(root, f))
      .map((f) => [f, { hash: sha(readFileSync(f)), size: statSync(f).size, mtimeMs: statSync(f).mtimeMs }]),
  );
  writeAtomically(manifestFile, JSON.stringify({ bundle: name, inputs }));
  return join(cache, name);
}

/** A build lock older than this, or whose builder is gone, was left by a start that died while building: taken over. */
const STALE_LOCK_MS = 120_000;

function staleLock(lock) {
  try {
    if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!pid) return false; // just taken, pid not written yet
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

/**
 * Builds under a lock (a folder: mkdir is atomic), so instances started together (app and app2) bundle
 * once instead of each running esbuild on the same cores; the others wait for the lock and take the
 * bundle it left. `done()` is the cached bundle, if there is one by now.
 */
async function buildOnce(cache, done, build) {
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, 'building.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (staleLock(lock)) rmSync(lock, { recursive: true, force: true });
    await sleep(25);
    const file = done();
    if (file) return file;
  }
  try {
    return done() ?? (await build());
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The path of the app's bundle under `root` (the app's folder): the cached one, or built now (also when this script changed). */
export async function appBundle(root) {
  const cache = join(root, '.bundle');
  const { version: esbuildVersion } = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.resolve('esbuild'))), '..', 'package.json'), 'utf8'));
  const manifestFile = join(cache, `main-${sha(JSON.stringify({ EXTERNAL, esbuildVersion, node: process.versions.node, script: sha(readFileSync(fileURLToPath(import.meta.url))) }))}.json`);
  const done = () => cached(cache, manifestFile);
  return done() ?? (await buildOnce(cache, done, () => bundle(root, cache, manifestFile)));
}
