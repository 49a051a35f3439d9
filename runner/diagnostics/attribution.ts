import type { RequestStats, Selection } from '../request-stats.ts';
import { percent } from '../reports/format.ts';
import { readable } from '../reports/readable.ts';
import { faultWindows } from '../reports/windows.ts';
import type { RunResult, ThresholdResult } from '../result.ts';
import type { ProbeData } from '../probes/sampler.ts';
import { parseProbeKey } from '../probes/thresholds.ts';
import type { Attribution } from './result.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');

/**
 * For each failing threshold, what was going on in its window (its phase, or the whole
 * run): the faults in force, the requests' error rate and commonest failure there, and
 * what the probes saw — a source that stopped answering, counters that rose while they
 * were flat in the first phase (refusals, evictions, errors), gauges far from their baseline.
 */
export function attribute(
  result: Pick<RunResult, 'thresholds' | 'timeline' | 'durationMs' | 'phases'>,
  stats: RequestStats,
  probes: ProbeData | undefined,
): Attribution[] {
  const windows = faultWindows(result as RunResult);
  const first = result.phases[0]?.name;
  return result.thresholds
    .filter((t) => !t.ok)
    .map((t) => {
      const phaseName = phaseOfKey(t);
      const phase = result.phases.find((p) => p.name === phaseName);
      const fromMs = phase?.startMs ?? 0;
      const toMs = phase?.endMs ?? result.durationMs;
      const notes: string[] = [];
      for (const w of windows.filter((w) => w.startMs < toMs && w.endMs > fromMs)) {
        notes.push(`${w.fault} in force ${seconds(w.startMs)}–${seconds(w.endMs)} s${w.unreverted ? ' (never reverted)' : ''}`);
      }
      const window = { fromMs, toMs };
      const failed = stats.select('failed', window).values;
      if (failed.count > 0) {
        const errors = failed.sum;
        if (errors > 0) notes.push(`errors ${percent(errors / failed.count)} of ${failed.count} requests in this window${commonest(stats.select('duration', window).outcomes)}`);
      }
      if (probes) notes.push(...probeNotes(probes, fromMs, toMs, first));
      return { threshold: `${t.metric} ${t.expression}`, window: { fromMs, toMs, ...(phaseName ? { phase: phaseName } : {}) }, notes: notes.slice(0, 8) };
    });
}

function phaseOfKey(t: ThresholdResult): string | undefined {
  if (t.source === 'probe') {
    const sel = parseProbeKey(t.metric);
    return typeof sel === 'string' ? undefined : sel.phase;
  }
  return /[{,]phase:([^,}]+)/.exec(t.metric)?.[1];
}

/** ", most often 503 (120)" from the status tags in the window. */
function commonest(outcomes: Selection['outcomes']): string {
  const counts = new Map<string, number>();
  for (const s of outcomes) {
    const status = Number(s.status ?? 0);
    if (status > 0 && status < 400) continue;
    const key = status === 0 ? (s.errorCode === '1050' ? 'timeouts' : `no response (k6 error ${s.errorCode ?? '?'})`) : String(status);
    counts.set(key, (counts.get(key) ?? 0) + s.count);
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return top ? `, most often ${top[0]} (${top[1]})` : '';
}

function probeNotes(probes: ProbeData, fromMs: number, toMs: number, firstPhase: string | undefined): string[] {
  const notes: string[] = [];
  const span = Math.max(1, Math.round((toMs - fromMs) / probes.intervalMs));
  for (const g of probes.gaps.filter((g) => g.fromMs < toMs && g.toMs >= fromMs)) {
    notes.push(`the ${g.group} probe got no answer ${seconds(Math.max(g.fromMs, fromMs))}–${seconds(Math.min(g.toMs + probes.intervalMs, toMs))} s (${Math.min(g.ticks, span)} of ${span} ticks: ${g.error})`);
  }
  const risen: Array<{ text: string; size: number }> = [];
  for (const s of probes.series) {
    if (s.kind !== 'counter') continue;
    const inside = s.points.filter((p) => p.tMs > fromMs && p.tMs <= toMs).reduce((sum, p) => sum + (p.n ?? 0), 0);
    if (inside <= 0) continue;
    const baseline = s.points.filter((p) => p.phase === firstPhase);
    const baseRate = baseline.reduce((sum, p) => sum + (p.n ?? 0), 0) / Math.max(1, baseline.length);
    const rate = inside / span;
    // Only what the first phase did not already do: refusals, evictions, errors that appeared.
    const notable = /refused|rejected|evictions|error|fail|fault_hits|timeout/.test(`${s.metric} ${labelText(s.labels)}`);
    if (notable && rate > baseRate * 2 + 0.01) {
      const labels = labelText(s.labels);
      risen.push({ text: `${s.group} ${s.metric} ${Math.round(inside)}${labels ? ` (${labels})` : ''}`, size: inside });
    }
  }
  notes.push(...risen.sort((a, b) => b.size - a.size).slice(0, 4).map((r) => r.text));
  return notes;
}

/** `probe:app.cpu max<0.7 (observed 0.93 cores)` style reason values for probe thresholds. */
export function probeUnit(probes: ProbeData | undefined, key: string): string | undefined {
  const sel = parseProbeKey(key);
  if (typeof sel === 'string' || !probes) return undefined;
  return probes.series.find((s) => s.group === sel.group && s.metric === sel.metric)?.unit;
}

export { readable };
