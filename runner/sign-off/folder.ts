import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { readJson } from '../../lib/files.ts';
import type { SignOffPack } from './types.ts';

/** `20261102T100000Z`: sortable, and a valid folder name everywhere. */
export const stamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/**
 * Where a sign-off writes, never over an earlier one: `requested` when it is new or empty,
 * else `<requested>-<stamp>`; without `requested`, `<reportsRoot>/sign-off-<stamp>`. A
 * folder that holds a FAIL stays as it was, and so does one that passed: a rerun is a new
 * attempt beside it.
 */
export function newPackFolder(requested: string | undefined, reportsRoot: string, now = new Date()): string {
  const base = resolve(requested ?? join(reportsRoot, `sign-off-${stamp(now)}`));
  if (!existsSync(base) || readdirSync(base).length === 0) return base;
  for (let n = 1; ; n++) {
    const candidate = `${base}-${stamp(now)}${n > 1 ? `-${n}` : ''}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * The earlier attempts of the same sign-off (same scenarios, profiles and target) beside
 * `dir` (its sibling folders with a pack.json), newest first, as paths relative to it.
 */
export function earlierAttempts(dir: string, same: Pick<SignOffPack, 'scenarios' | 'profiles' | 'target'>): SignOffPack['attempts'] {
  const parent = dirname(dir);
  const key = (p: Pick<SignOffPack, 'scenarios' | 'profiles' | 'target'>) => JSON.stringify([[...p.scenarios].sort(), [...p.profiles].sort(), p.target]);
  let entries: string[] = [];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const packs = entries
    .filter((name) => name !== basename(dir))
    .map((name) => ({ path: join(parent, name), pack: readJson<SignOffPack>(join(parent, name, 'pack.json')) }))
    .filter((p): p is { path: string; pack: SignOffPack } => p.pack?.kind === 'faultline-sign-off' && key(p.pack) === key(same))
    .sort((a, b) => b.pack.startedAt.localeCompare(a.pack.startedAt));
  return packs.map((p) => ({ dir: relative(dir, p.path), verdict: p.pack.verdict, startedAt: p.pack.startedAt }));
}
