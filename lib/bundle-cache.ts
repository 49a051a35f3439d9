import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from './files.ts';

/** What a build produced: the code, every file that went into it, and the folders whose listing it depended on. */
export interface BuiltBundle {
  code: Uint8Array;
  /** Absolute paths of every input file (esbuild's metafile inputs). */
  inputs: string[];
  /** Folders whose file list shaped the bundle (a registry folder listed at build time), with that list. */
  listings?: Record<string, string[]>;
}

interface Manifest {
  bundle: string;
  /** Per input: its content hash, and the size and mtime it had then (equal: unchanged, without reading it). */
  inputs: Record<string, { hash: string; size: number; mtimeMs: number }>;
  listings: Record<string, string[]>;
}

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/** Writes a file whole or not at all: to a name of its own first, then renamed (concurrent writers never see half of it). */
function writeAtomically(file: string, data: Uint8Array | string): void {
  const partial = `${file}.${randomUUID()}.tmp`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

/**
 * A bundle built once and reused while nothing that went into it changed: the manifest
 * beside it records the content hash (and size and mtime) of every input file and the listing of every folder
 * it depended on; any difference (an edited file, an upgraded package, a plug-in added to
 * a registry folder) builds it again. `key` names what else shapes the output (entry,
 * build options, esbuild's version). Bundles are named after their content and written
 * atomically, so concurrent starts never see one half-written.
 */
export async function cachedBundle(cacheDir: string, name: string, key: string, build: () => Promise<BuiltBundle>, list: (dir: string) => string[]): Promise<string> {
  const manifestFile = join(cacheDir, `${name}-${sha(key)}.json`);
  const manifest = readJson<Manifest>(manifestFile);
  if (manifest && upToDate(manifest, cacheDir, list)) return join(cacheDir, manifest.bundle);
  const built = await build();
  mkdirSync(cacheDir, { recursive: true });
  const bundle = `${name}-${sha(built.code)}.mjs`;
  if (!existsSync(join(cacheDir, bundle))) writeAtomically(join(cacheDir, bundle), built.code);
  const inputs = Object.fromEntries(
    built.inputs.map((file) => {
      const { size, mtimeMs } = statSync(file);
      return [file, { hash: sha(readFileSync(file)), size, mtimeMs }];
    }),
  );
  writeAtomically(manifestFile, JSON.stringify({ bundle, inputs, listings: built.listings ?? {} } satisfies Manifest));
  return join(cacheDir, bundle);
}

function upToDate(manifest: Manifest, cacheDir: string, list: (dir: string) => string[]): boolean {
  try {
    if (!existsSync(join(cacheDir, manifest.bundle))) return false;
    for (const [dir, files] of Object.entries(manifest.listings)) if (list(dir).join('\n') !== files.join('\n')) return false;
    for (const [file, input] of Object.entries(manifest.inputs)) {
      const { size, mtimeMs } = statSync(file);
      // Same size and mtime: unchanged (stat only, for the farcaster mock's 1,800 inputs). Else the content decides (a touched file is still valid).
      if ((size !== input.size || mtimeMs !== input.mtimeMs) && sha(readFileSync(file)) !== input.hash) return false;
    }
    return true;
  } catch {
    return false; // an input is gone: build again
  }
}
