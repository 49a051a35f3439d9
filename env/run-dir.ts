import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, statfsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Where the services' data goes when memory allows: a tmpfs every Linux has. */
export const MEMORY_DIR = '/dev/shm';
/** Less free than this in it (a container's 64 MB /dev/shm) and the data stays on disk. */
const MIN_FREE_BYTES = 1024 ** 3;

/**
 * The folder on a file system in memory that `stateDir/run` (every service's data:
 * the Postgres cluster copied from its template, Redis's dir, the mocks' scratch space)
 * should link to, or undefined to keep it on disk. The data is disposable (Postgres runs
 * with fsync off and is removed at env down), but creating the cluster's thousand files
 * on a busy disk is most of a warm start, and removing them most of env down.
 * FAULTLINE_DATA_IN_MEMORY=0 keeps it on disk.
 */
export function memoryBase(): string | undefined {
  if (process.env.FAULTLINE_DATA_IN_MEMORY === '0' || process.platform !== 'linux') return undefined;
  try {
    const fs = statfsSync(MEMORY_DIR);
    return fs.bavail * fs.bsize >= MIN_FREE_BYTES ? MEMORY_DIR : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folder in memory for `stateDir`'s services: named after the state directory's real
 * path (slashes as `_`), so one state directory always gets the same one, a leftover of a
 * killed env up is found again, and a process can be told to belong to a folder by its
 * working directory (tests do). A hash when the path is too long for a name.
 */
export function memoryRunDir(base: string, stateDir: string): string {
  const path = realpathSync(stateDir);
  const name = memoryRunName(path);
  return join(base, name.length <= 213 ? name : `faultline-run-${createHash('sha256').update(path.replaceAll('/', '_')).digest('hex').slice(0, 16)}`);
}

/** The in-memory folder's name for a state directory's real path (a path inside it: a name that starts with this plus `_`). */
export const memoryRunName = (realPath: string) => `faultline-run${realPath.replaceAll('/', '_')}`;

/** Makes `stateDir/run`: a link to a fresh folder in memory when memoryBase() allows, else a plain folder. */
export function createRunDir(stateDir: string): string {
  const run = join(stateDir, 'run');
  removeRunDir(stateDir);
  const base = memoryBase();
  if (!base) {
    mkdirSync(run, { recursive: true });
    return run;
  }
  const target = memoryRunDir(base, stateDir);
  rmSync(target, { recursive: true, force: true }); // a killed env up's, whose link is gone
  mkdirSync(target);
  chmodSync(target, 0o755); // as root, postgres runs as the postgres user and must reach inside
  symlinkSync(target, run);
  return run;
}

/** Removes `stateDir/run` and, when it links into memory, what it links to. */
export function removeRunDir(stateDir: string): void {
  const run = join(stateDir, 'run');
  let link: string | undefined;
  try {
    if (lstatSync(run).isSymbolicLink()) link = readlinkSync(run);
  } catch {
    return; // nothing there
  }
  if (link && link.startsWith(`${MEMORY_DIR}/faultline-run`) && existsSync(link)) rmSync(link, { recursive: true, force: true });
  rmSync(run, { recursive: true, force: true });
}
