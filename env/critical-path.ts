import type { EnvironmentState } from './state.ts';

/** One service's start, as env up recorded it (ServiceRecord.startup), in ms since env up began. */
export interface StartupStep {
  name: string;
  /** When it was launched: once every dependency was ready (or, for a `started` one, launched). */
  startedAtMs: number;
  /** When its URL and proxies existed: what a dependent with `condition: 'started'` waits for. */
  urlAtMs?: number;
  /** When it answered its probe (and its afterReady had run). */
  readyAtMs: number;
  /** How long it waited for its dependencies, and the one satisfied last (what it really waited for). */
  waitedMs: number;
  waitedFor?: string;
  /** What it waited for `waitedFor` to be: ready (the default condition), or only started. */
  waitedUntil?: 'ready' | 'started';
}

/** Every recorded start of `state` (Toxiproxy included), in the order they were ready. */
export function startupSteps(state: EnvironmentState): StartupStep[] {
  const records = [state.toxiproxy, ...Object.values(state.services)].filter((r) => r.startup);
  const readyAt = new Map(records.map((r) => [r.name, r.startup!.atMs + r.startup!.readyMs]));
  const urlAt = new Map(records.filter((r) => r.startup!.startedMs !== undefined).map((r) => [r.name, r.startup!.atMs + r.startup!.startedMs!]));
  return records
    .map((r): StartupStep => {
      const { atMs, waitedMs, for: ready, forStarted = [] } = r.startup!;
      const waits = [
        ...ready.map((d) => ({ d, until: 'ready' as const, at: readyAt.get(d) ?? 0 })),
        ...forStarted.map((d) => ({ d, until: 'started' as const, at: urlAt.get(d) ?? readyAt.get(d) ?? 0 })),
      ];
      const last = waits.reduce<(typeof waits)[number] | undefined>((latest, w) => (!latest || w.at > latest.at ? w : latest), undefined);
      return {
        name: r.name,
        startedAtMs: atMs,
        ...(urlAt.has(r.name) ? { urlAtMs: urlAt.get(r.name)! } : {}),
        readyAtMs: readyAt.get(r.name)!,
        waitedMs,
        ...(last ? { waitedFor: last.d, waitedUntil: last.until } : {}),
      };
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

/**
 * The critical path on one line: each step from its launch to what the next one waited
 * for, its readiness or, for a started-only wait, its URL.
 * @example "anvil (3→445) → farcaster (463→started 470) → app (471→1800)"
 */
export function describeCriticalPath(chain: StartupStep[]): string {
  return chain
    .map((s, i) => {
      const next = chain[i + 1];
      const until = next?.waitedUntil === 'started' ? `started ${s.urlAtMs ?? s.readyAtMs}` : String(s.readyAtMs);
      return `${s.name} (${s.startedAtMs}→${until})`;
    })
    .join(' → ');
}

/** Headers and rows of the per-service start table that env up --timings and bench:env print. */
export function startupTable(steps: StartupStep[]): { headers: string[]; rows: string[][] } {
  return {
    headers: ['service', 'launched at', 'url at', 'ready at', 'took', 'waited', 'for (satisfied last)'],
    rows: steps.map((s) => [
      s.name,
      String(s.startedAtMs),
      s.urlAtMs === undefined ? '-' : String(s.urlAtMs),
      String(s.readyAtMs),
      String(s.readyAtMs - s.startedAtMs),
      String(s.waitedMs),
      s.waitedFor ? `${s.waitedFor} (${s.waitedUntil})` : '-',
    ]),
  };
}
