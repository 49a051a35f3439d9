import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of Faultline's code tree: the repository, or the compiled tree in the installed package. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The last `lines` lines of a log file ('' when there is none), for error messages. */
export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A JSON file's content, or undefined when it is missing or not JSON. */
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Writes `value` as JSON through a temporary file and a rename: a reader never sees half a
 * file, even from a process killed mid-write. `mode` 0o600 for what only its owner may read.
 */
export function writeJsonAtomic(file: string, value: unknown, mode?: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, mode === undefined ? {} : { mode });
  renameSync(tmp, file);
}

/**
 * mkdir -p that always ends: each missing level made on its own. (Node's recursive mkdir
 * loops for ever where a file system refuses to create without saying why, as /proc does.)
 */
export function makeDir(path: string): void {
  const missing: string[] = [];
  for (let dir = resolve(path); !existsSync(dir); dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) mkdirSync(dir);
}
