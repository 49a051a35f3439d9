import { accessSync, chmodSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FaultlineError } from '../lib/errors.ts';
import type { EnvironmentState } from './state.ts';

/** The first line of every dotenv file Faultline writes: only such a file is ever removed again. */
export const DOTENV_HEADER = '# Written by faultline env:up.';

/** `X_URL` → `X_DIRECT_URL`: the same service, bypassing Toxiproxy. */
export const directVar = (envVar: string) => envVar.replace(/_URL$/, '_DIRECT_URL');

/** The variables an app gets: each service's proxied URL and its direct twin, every extra endpoint, the seed and Toxiproxy's API. */
export function dotenvVars(state: Pick<EnvironmentState, 'seed' | 'toxiproxy' | 'services'>): Record<string, string> {
  const vars: Record<string, string> = { FAULTLINE_SEED: String(state.seed) };
  if (state.toxiproxy.directUrl) vars.TOXIPROXY_URL = state.toxiproxy.directUrl;
  const started = Object.values(state.services).filter((r) => r.url && r.directUrl); // not started (or not proxied) yet: left out
  // Fallbacks first, so that a service that really sets the variable wins (RPC_URL: the rpc mock over anvil).
  for (const record of started) {
    for (const envVar of record.fallbackEnvVars ?? []) {
      vars[envVar] = record.url!;
      vars[directVar(envVar)] = record.directUrl!;
    }
  }
  for (const record of started) {
    vars[record.envVar] = record.url!;
    vars[directVar(record.envVar)] = record.directUrl!;
    for (const endpoint of record.endpoints ?? []) {
      vars[endpoint.envVar] = endpoint.url;
      vars[directVar(endpoint.envVar)] = endpoint.directUrl;
    }
  }
  return vars;
}

/** Writes the dotenv file, readable by its owner only: its URLs carry passwords and provider keys. */
export function writeDotenv(file: string, vars: Record<string, string>): void {
  assertDotenvOurs(file);
  const body = Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  writeFileSync(file, `${DOTENV_HEADER} URLs go through Toxiproxy; *_DIRECT_URL bypass it.\n${body}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The dotenv file names a file Faultline did not write (a user's own `.env`): it is never written over or deleted. */
export class DotenvNotOursError extends FaultlineError {
  constructor(file: string) {
    super(`${file} exists and was not written by Faultline, so Faultline will not write over it (or delete it on env down). Point \`dotenvFile\` in your config at another file, e.g. ".env.faultline".`);
  }
}

/** Refuses, before anything starts, a dotenv file that is someone else's, or one that could not be written. */
export function assertDotenvOurs(file: string): void {
  if (existsSync(file)) {
    if (!readFileSync(file, 'utf8').startsWith(DOTENV_HEADER)) throw new DotenvNotOursError(file);
    return;
  }
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw new FaultlineError(`dotenvFile ${file} cannot be written: ${(error as Error).message}. Point \`dotenvFile\` in your config at a file in a folder you can write.`);
  }
}

/** Removes the dotenv file, but only one Faultline wrote: a user's own `.env` is never touched. */
export function removeDotenv(file: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8').startsWith(DOTENV_HEADER)) rmSync(file);
}
