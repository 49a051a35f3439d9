import { fixed, percent } from './format.ts';
import type { Cell, Table } from './tables.ts';
import type { GroupLoad, LoadAccount, RunResult } from '../result.ts';
import { MIN_PLANNED } from '../shortfall.ts';

const groupLabel = (g: GroupLoad) => (g.group === 'faultline' ? 'load' : g.group);
const beyond = (account: LoadAccount, shortfall: number | undefined) => (shortfall ?? 0) > account.maxShortfall;

/**
 * One line per group for the console and the report header: achieved vs planned per phase,
 * what was dropped and where VUs ran out, e.g.
 * `readers: baseline 10/10/s · spike 152.3/200/s (23.9 % short, 955 dropped) · recovery 10/10/s; VUs capped at 80`.
 */
export function loadLines(result: RunResult): string[] {
  const account = result.load;
  if (!account) return [];
  return account.groups.map((g) => {
    // A group without planned arrivals (VUs holding sockets, iterations) says what ran.
    if (g.planned === undefined) return `${g.group === 'faultline' ? '' : `${g.group}: `}${g.achieved} iterations`;
    const phases = g.phases.map((p) => {
      if (p.plannedRate === undefined) return `${p.phase} ${fixed(p.achievedRate)}/s`;
      const short = (p.shortfall ?? 0) > 0 ? ` (${percent(p.shortfall!)} short, ${p.dropped} dropped)` : '';
      return `${p.phase} ${fixed(p.achievedRate)}/${fixed(p.plannedRate)}/s${short}`;
    });
    const capped = account.vusCapped[g.group] ? `; VUs capped at ${account.vusCapped[g.group]}` : '';
    const total = g.planned === undefined ? `${g.achieved} iterations` : `${g.achieved} of ${g.planned} planned iterations${g.dropped ? `, ${g.dropped} dropped` : ''}`;
    return `${g.group === 'faultline' ? '' : `${g.group}: `}${phases.join(' · ')} (${total})${capped}`;
  });
}

/** "Load": achieved vs planned per group and phase; a share beyond maxShortfall is marked. */
export function loadTable(result: RunResult): Table {
  const account = result.load;
  return {
    title: 'Load',
    headers: ['Group', 'Phase', 'Planned', 'Achieved', 'Planned/s', 'Achieved/s', 'Dropped', 'Short'],
    empty: 'No load was accounted.',
    rows: (account?.groups ?? []).flatMap((g) =>
      g.phases.map((p): Cell[] => [
        groupLabel(g),
        p.phase,
        p.planned === undefined ? '–' : String(p.planned),
        String(p.achieved),
        p.plannedRate === undefined ? '–' : fixed(p.plannedRate),
        fixed(p.achievedRate),
        String(p.dropped),
        p.shortfall === undefined ? '–' : { ok: !beyond(account!, p.shortfall) || (p.planned ?? 0) < MIN_PLANNED, label: percent(p.shortfall) },
      ]),
    ),
  };
}

/** JUnit testcases, one per group: it failed when it fell short by more than maxShortfall. */
export function loadCases(result: RunResult): Array<{ name: string; ok: boolean; message: string }> {
  const account = result.load;
  if (!account) return [];
  const lines = loadLines(result);
  return account.groups.map((g, i) => {
    const judged = account.worst?.group === g.group && beyond(account, account.worst.shortfall);
    return { name: `${groupLabel(g)} delivered its planned load (max shortfall ${percent(account.maxShortfall)})`, ok: !judged, message: lines[i]! };
  });
}
