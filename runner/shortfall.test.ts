import { describe, expect, it } from 'vitest';
import { shapeLoad } from './load-shape.ts';
import type { GroupSamples } from './points.ts';
import { DEFAULT_PROFILES } from './profiles.ts';
import { renderJunit } from './reports/junit.ts';
import { loadLines, loadTable } from './reports/load.ts';
import { renderMarkdown } from './reports/markdown.ts';
import { runFixture } from './reports/testing/fixture.ts';
import { resolveScenario } from './scenario.ts';
import { loadAccount, shortfallOutcome } from './shortfall.ts';

const s = resolveScenario({
  name: 'x',
  description: 'x',
  services: [],
  load: {
    script: 'l.js',
    groups: { readers: { executor: 'constant-arrival-rate', rate: 10, phases: { spike: { rate: 100 } } }, listeners: { executor: 'per-vu-iterations', vus: 2, iterations: 1 } },
  },
  phases: [
    { name: 'baseline', duration: '10s' },
    { name: 'spike', duration: '10s' },
  ],
});
const groups = shapeLoad(s.load, s.phases, { ...DEFAULT_PROFILES.baseline!, scale: 1 }).groups;
const samples = (droppedInSpike: number): GroupSamples => ({
  iterations: [
    { tMs: 100, scenario: 'listeners', phase: 'baseline' },
    { tMs: 200, scenario: 'listeners', phase: 'baseline' },
  ],
  dropped: [...Array.from({ length: droppedInSpike }, (_, i) => ({ tMs: 10_000 + i, scenario: 'readers' })), { tMs: 5000, scenario: 'readers' }],
});
const LOG = `time="…" level=warning msg="Insufficient VUs, reached 200 active VUs and cannot initialize more" executor=ramping-arrival-rate scenario=readers\n`;

describe('load account', () => {
  it('sets planned against delivered per group and phase, and finds where VUs ran out', () => {
    const account = loadAccount(groups, s.phases, samples(250), LOG, 20_000, 0.05);
    const readers = account.groups[0]!;
    expect(readers).toMatchObject({ group: 'readers', planned: 1100, achieved: 849, dropped: 251 });
    expect(readers.phases).toEqual([
      { phase: 'baseline', planned: 100, achieved: 99, dropped: 1, plannedRate: 10, achievedRate: 9.9, shortfall: 0.01 },
      { phase: 'spike', planned: 1000, achieved: 750, dropped: 250, plannedRate: 100, achievedRate: 75, shortfall: 0.25 },
    ]);
    expect(account.groups[1]).toMatchObject({ group: 'listeners', achieved: 2, phases: [{ phase: 'baseline', achieved: 2, achievedRate: 0.2 }, { phase: 'spike', achieved: 0 }] });
    expect(account.vusCapped).toEqual({ readers: 200 });
    expect(account.worst).toEqual({ group: 'readers', phase: 'spike', shortfall: 0.25 });
    expect(shortfallOutcome(account)).toEqual({
      kind: 'load-shortfall',
      detail: expect.stringMatching(/^the load generator fell short of the plan: group readers started 750 of 1000 planned iterations in phase spike \(25 % short, more than load.maxShortfall 5 %; 250 dropped, VUs capped at 200\)/),
    });
  });

  it('lets a shortfall within maxShortfall pass, and plans only up to where a run stopped', () => {
    expect(shortfallOutcome(loadAccount(groups, s.phases, samples(40), '', 20_000, 0.05))).toBeUndefined();
    expect(shortfallOutcome(loadAccount(groups, s.phases, samples(40), '', 20_000, 0.03))?.kind).toBe('load-shortfall');
    const stopped = loadAccount(groups, s.phases, samples(0), '', 15_000, 0.05);
    expect(stopped.groups[0]!.phases[1]).toMatchObject({ planned: 500, plannedRate: 100 });
  });

  it('shows in the report header, a Load table and junit which group fell short', () => {
    const account = loadAccount(groups, s.phases, samples(250), LOG, 20_000, 0.05);
    const result = { ...runFixture(), verdict: 'INCONCLUSIVE' as const, inconclusive: shortfallOutcome(account), load: account };
    expect(loadLines(result)[0]).toBe('readers: baseline 9.9/10.0/s (1.00% short, 1 dropped) · spike 75.0/100.0/s (25.00% short, 250 dropped) (849 of 1100 planned iterations, 251 dropped); VUs capped at 200');
    const md = renderMarkdown(result);
    expect(md.split('## ')[0]).toContain('Load: readers: baseline 9.9/10.0/s');
    expect(md).toContain('## Load');
    expect(loadTable(result).rows[1]!.at(-1)).toEqual({ ok: false, label: '25.00%' });
    const junit = renderJunit(result);
    expect(junit).toMatch(/<testcase classname="faultline\.rpc-throttle\.load" name="readers delivered its planned load \(max shortfall 5\.00%\)" time="60.000">\s*<failure type="load"/);
    expect(junit).toMatch(/<testcase classname="faultline\.rpc-throttle\.load" name="listeners delivered its planned load \(max shortfall 5\.00%\)" time="60.000"\/>/);
  });
});
