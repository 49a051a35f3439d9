import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../reports/redact.ts';
import { writeAtomically } from '../reports/overview.ts';
import { renderClosure } from './closure.ts';
import { renderCloseCommands } from './close-commands.ts';
import { renderComment } from './comment.ts';
import { renderFinalSteps } from './final-steps.ts';
import { renderSignOffOverview } from './overview.ts';
import type { SignOffPack } from './types.ts';

/** The files of a sign-off folder, besides each row's own reports. */
export const PACK_FILES = { pack: 'pack.json', overview: 'OVERVIEW.md', closure: 'CLOSURE.md', comment: 'COMMENT.md', finalSteps: 'FINAL-STEPS.md', closeCommands: 'CLOSE-COMMANDS.sh' } as const;

/**
 * Writes (or rewrites, as rows finish) the pack into `dir`: pack.json, OVERVIEW.md,
 * CLOSURE.md, COMMENT.md, FINAL-STEPS.md, and CLOSE-COMMANDS.sh only when every row
 * passed. Every file passes through redact() with `env` (the secrets the runs were given).
 */
export async function writePack(dir: string, pack: SignOffPack, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string) => writeAtomically(join(dir, name), redact(text, env));
  await write(PACK_FILES.pack, `${JSON.stringify(pack, null, 2)}\n`);
  await write(PACK_FILES.overview, renderSignOffOverview(pack));
  await write(PACK_FILES.closure, renderClosure(pack));
  await write(PACK_FILES.comment, renderComment(pack));
  await write(PACK_FILES.finalSteps, renderFinalSteps(pack));
  const close = renderCloseCommands(pack);
  const closeFile = join(dir, PACK_FILES.closeCommands);
  if (close) {
    await write(PACK_FILES.closeCommands, close);
    chmodSync(closeFile, 0o755);
  } else {
    rmSync(closeFile, { force: true });
  }
}
