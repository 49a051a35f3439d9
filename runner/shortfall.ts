import { phaseOf } from './analysis.ts';
import { ARRIVAL_RATE } from './load-groups.ts';
import { plannedIterations, type ShapedGroup } from './load-shape.ts';
import type { GroupSamples } from './points.ts';
import type { GroupLoad, LoadAccount, RunResult } from './result.ts';
import type { ScheduledPhase } from './scenario.ts';

/** Below this many planned arrivals a share says little (one late arrival is 10 % of 10): such a phase is judged with its whole group. */
export const MIN_PLANNED = 20;

/** `Insufficient VUs, reached 6 active VUs and cannot initialize more` … `scenario=readers`. */
const CAPPED = /Insufficient VUs, reached (\d+) active VUs and cannot initialize more[^\n]*?scenario=([\w-]+)/g;

/**
 * Planned vs delivered load per group and phase, up to `endedMs` (a run that stopped early
 * planned no more than it ran). Arrival-rate groups plan their iterations; what k6 dropped
 * (no free VU) is their shortfall. VU and iteration groups report what ran.
 */
export function loadAccount(groups: ShapedGroup[], phases: ScheduledPhase[], samples: GroupSamples, k6Log: string, endedMs: number, maxShortfall: number): LoadAccount {
  const vusCapped: Record<string, number> = {};
  for (const [, vus, group] of k6Log.matchAll(CAPPED)) vusCapped[group!] = Math.max(vusCapped[group!] ?? 0, Number(vus));
  const round = (n: number, digits = 2) => Number(n.toFixed(digits));
  const share = (dropped: number, planned: number) => (planned > 0 ? round(Math.min(1, dropped / planned), 4) : 0);
  // The reader keeps one entry per group and phase (iterations) or per group and ms (dropped), with a count.
  const total = (list: GroupSamples['iterations']) => list.reduce((sum, s) => sum + (s.count ?? 1), 0);

  const accounts = groups.map((g): GroupLoad => {
    const arrival = ARRIVAL_RATE.includes(g.executor) && g.rate;
    const ran = samples.iterations.filter((s) => s.scenario === g.name);
    const dropped = samples.dropped.filter((s) => s.scenario === g.name);
    const perPhase = phases.map((phase) => {
      const to = Math.min(phase.endMs, Math.max(phase.startMs, endedMs));
      const seconds = Math.max(0.001, (to - phase.startMs) / 1000);
      const droppedHere = total(dropped.filter((s) => phaseOf(phases, s.tMs) === phase.name));
      if (!arrival) {
        const achieved = total(ran.filter((s) => s.phase === phase.name));
        return { phase: phase.name, achieved, dropped: droppedHere, achievedRate: round(achieved / seconds) };
      }
      const planned = Math.round(plannedIterations(g.rate!, phase.startMs, to));
      const achieved = Math.max(0, planned - droppedHere);
      return { phase: phase.name, planned, achieved, dropped: droppedHere, plannedRate: round(planned / seconds), achievedRate: round(achieved / seconds), shortfall: share(droppedHere, planned) };
    });
    const totalDropped = total(dropped);
    if (!arrival) return { group: g.name, executor: g.executor, achieved: total(ran), dropped: totalDropped, phases: perPhase };
    const planned = perPhase.reduce((sum, p) => sum + p.planned!, 0);
    return { group: g.name, executor: g.executor, planned, achieved: Math.max(0, planned - totalDropped), dropped: totalDropped, shortfall: share(totalDropped, planned), phases: perPhase };
  });

  // The worst of every phase with enough planned arrivals, and of every group as a whole.
  let worst: LoadAccount['worst'];
  for (const g of accounts) {
    if (g.planned === undefined) continue;
    const candidates = [...g.phases.filter((p) => (p.planned ?? 0) >= MIN_PLANNED).map((p) => ({ group: g.group, phase: p.phase, shortfall: p.shortfall! })), ...(g.planned >= MIN_PLANNED ? [{ group: g.group, shortfall: g.shortfall! }] : [])];
    for (const c of candidates) if (!worst || c.shortfall > worst.shortfall) worst = c;
  }
  return { maxShortfall, groups: accounts, vusCapped, ...(worst && worst.shortfall > 0 ? { worst } : {}) };
}

/** The INCONCLUSIVE outcome of a run that would PASS on less load than planned, or undefined when the load was delivered. */
export function shortfallOutcome(account: LoadAccount): RunResult['inconclusive'] {
  const worst = account.worst;
  if (!worst || worst.shortfall <= account.maxShortfall) return undefined;
  const group = account.groups.find((g) => g.group === worst.group)!;
  const where = worst.phase ? group.phases.find((p) => p.phase === worst.phase)! : group;
  const capped = account.vusCapped[worst.group];
  return {
    kind: 'load-shortfall',
    detail:
      `the load generator fell short of the plan: ${worst.group === 'faultline' ? 'the load' : `group ${worst.group}`} started ${where.achieved} of ${where.planned} planned iterations` +
      `${worst.phase ? ` in phase ${worst.phase}` : ''} (${percent(worst.shortfall)} short, more than load.maxShortfall ${percent(account.maxShortfall)}; ${where.dropped} dropped` +
      `${capped ? `, VUs capped at ${capped}` : ''}), so a PASS would not be at the planned load; give the group more VUs (maxVUs, or the profile's concurrency) or a lower rate`,
  };
}

const percent = (share: number) => `${Number((share * 100).toFixed(1))} %`;
