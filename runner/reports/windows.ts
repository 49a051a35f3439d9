import type { RunResult, TimelineEvent } from '../result.ts';

/** The time a fault was actually in force, from its apply to its revert. */
export interface FaultWindow {
  fault: string;
  layer: TimelineEvent['layer'];
  target: string;
  startMs: number;
  endMs: number;
  /** True when no revert was recorded: the window is drawn to the end of the run. */
  unreverted: boolean;
}

/**
 * Pairs each successful apply with the next revert of the same fault on the same target,
 * using actual (not scheduled) times, since the charts show what really happened.
 */
export function faultWindows(result: RunResult): FaultWindow[] {
  const open = new Map<string, TimelineEvent[]>();
  const windows: FaultWindow[] = [];
  const events = [...result.timeline].sort((a, b) => a.actualMs - b.actualMs);
  for (const e of events) {
    const key = `${e.fault}\u0000${e.target}`;
    if (e.action === 'apply') {
      if (e.ok) open.set(key, [...(open.get(key) ?? []), e]); // a failed apply never put the fault in force
      continue;
    }
    const apply = open.get(key)?.shift();
    if (apply) windows.push({ fault: e.fault, layer: e.layer, target: e.target, startMs: apply.actualMs, endMs: e.actualMs, unreverted: false });
  }
  for (const applies of open.values()) {
    for (const a of applies) {
      windows.push({ fault: a.fault, layer: a.layer, target: a.target, startMs: a.actualMs, endMs: result.durationMs, unreverted: true });
    }
  }
  return windows.sort((a, b) => a.startMs - b.startMs);
}
