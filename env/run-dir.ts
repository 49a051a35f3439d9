import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statfsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Where the services' data goes when memory allows: a tmpfs every Linux has. */
const MEMORY_DIR = '/dev/shm';
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

/** Makes `stateDir/run`: a link to a fresh folder in memory when memoryBase() allows, else a plain folder. */
export function createRunDir(stateDir: string): string {
  const run = join(stateDir, 'run');
  removeRunDir(stateDir);
  const base = memoryBase();
  if (!base) {
    mkdirSync(run, { recursive: true });
    return run;
  }
  const target = mkdtempSync(join(base, 'faultline-run-'));
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
  if (link && link.startsWith(`${MEMORY_DIR}/faultline-run-`) && existsSync(link)) rmSync(link, { recursive: true, force: true });
  rmSync(run, { recursive: true, force: true });
}
