import { join } from 'node:path';
import { makeDir, readJson, writeJsonAtomic } from '../lib/files.ts';
import { formatMs } from '../lib/durations.ts';

/**
 * The lead: time from spawning k6 to the time origin, for k6 to start, initialise its VUs
 * and run setup() up to its wait for the origin. A scenario's `load.lead` is used as
 * declared; otherwise the lead is fitted to what k6 needed the last time this scenario and
 * profile ran on this machine (recorded in the state folder), and is DEFAULT_LEAD_MS the
 * first time. k6 says what it needed in its log (runner/k6/faultline.js, waitForOrigin).
 */
export const DEFAULT_LEAD_MS = 1500;
/** Never less: a fitted lead absorbs a machine that got busier since the run it was fitted to. */
export const MIN_FITTED_LEAD_MS = 800;

/** k6's log line from waitForOrigin(): `faultline: ready 1380 ms before the origin` (negative: late). */
const READY = /faultline: ready (-?\d+) ms before the origin/;

const leadsFile = (stateDir: string) => join(stateDir, 'k6-lead.json');

/** Recorded needs, `<scenario file> <profile>` → ms k6 needed from its spawn to its wait for the origin. */
function readNeeds(stateDir: string): Record<string, number> {
  const needs = readJson<unknown>(leadsFile(stateDir));
  return needs && typeof needs === 'object' ? (needs as Record<string, number>) : {};
}

/** The lead for a run: the declared one, else fitted to the last recorded need (with room for a busier machine), else the default. */
export function leadFor(stateDir: string, key: string, declaredMs: number | undefined): { ms: number; how: 'declared' | 'fitted' | 'default' } {
  if (declaredMs !== undefined) return { ms: declaredMs, how: 'declared' };
  const needed = readNeeds(stateDir)[key];
  if (typeof needed !== 'number' || !Number.isFinite(needed) || needed < 0) return { ms: DEFAULT_LEAD_MS, how: 'default' };
  return { ms: fittedLead(needed), how: 'fitted' };
}

/** What k6 needed last time, twice over (at least 400 ms more), and never under MIN_FITTED_LEAD_MS: a loaded CI machine can double k6's start. */
export const fittedLead = (neededMs: number): number => Math.max(MIN_FITTED_LEAD_MS, Math.round(neededMs + Math.max(400, neededMs)));

/** Records what k6 needed this run, for the next one's lead (atomic: a reader never sees half a file). */
export function recordNeed(stateDir: string, key: string, neededMs: number): void {
  const needs = { ...readNeeds(stateDir), [key]: Math.round(neededMs) };
  makeDir(stateDir);
  writeJsonAtomic(leadsFile(stateDir), needs);
}

/** How long before the origin k6 reached its wait for it, from its log (ms; negative: after it); undefined when it did not say. */
export function readyBeforeOrigin(k6Log: string): number | undefined {
  const m = READY.exec(k6Log);
  return m ? Number(m[1]) : undefined;
}

/** The k6 start step's note: how much of the lead k6 needed, or how late it was. */
export function leadNote(leadMs: number, readyBeforeMs: number | undefined, how: 'declared' | 'fitted' | 'default'): string {
  if (readyBeforeMs === undefined) return 'k6 did not say when it was ready';
  const source = how === 'declared' ? 'load.lead' : how === 'fitted' ? 'fitted to the last run' : 'default';
  if (readyBeforeMs < 0) return `k6 ready ${formatMs(-readyBeforeMs)} after the origin (lead ${formatMs(leadMs)}, ${source})${how === 'declared' ? ': raise load.lead' : ''}`;
  return `k6 ready after ${formatMs(leadMs - readyBeforeMs)} of ${formatMs(leadMs)} (${source})`;
}
