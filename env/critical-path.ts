import type { EnvironmentState } from './state.ts';

/** One service's start, as env up recorded it (ServiceRecord.startup), in ms since env up began. */
export interface StartupStep {
  name: string;
  /** When it was launched: once every dependency was ready. */
  startedAtMs: number;
  /** When it answered its probe (and its afterReady had run). */
  readyAtMs: number;
  /** How long it waited for its dependencies, and the one that was ready last (what it really waited for). */
  waitedMs: number;
  waitedFor?: string;
}

/** Every recorded start of `state` (Toxiproxy included), in the order they were ready. */
export function startupSteps(state: EnvironmentState): StartupStep[] {
  const records = [state.toxiproxy, ...Object.values(state.services)].filter((r) => r.startup);
  const readyAt = new Map(records.map((r) => [r.name, r.startup!.atMs + r.startup!.readyMs]));
  return records
    .map((r) => {
      const { atMs, waitedMs, for: deps } = r.startup!;
      const waitedFor = deps.length ? deps.reduce((last, d) => ((readyAt.get(d) ?? 0) > (readyAt.get(last) ?? 0) ? d : last)) : undefined;
      return { name: r.name, startedAtMs: atMs, readyAtMs: readyAt.get(r.name)!, waitedMs, ...(waitedFor ? { waitedFor } : {}) };
    })
    .sort((a, b) => a.readyAtMs - b.readyAtMs);
}

/** The chain that decided when the environment was up: the service ready last, what it waited for, and so on back. */
export function criticalPath(steps: StartupStep[]): StartupStep[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const chain: StartupStep[] = [];
  for (let step = steps.at(-1); step && !chain.includes(step); step = step.waitedFor ? byName.get(step.waitedFor) : undefined) chain.unshift(step);
  return chain;
}
