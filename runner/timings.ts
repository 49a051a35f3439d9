import { closeSync, openSync, readSync } from 'node:fs';
import { formatMs } from '../lib/durations.ts';

/**
 * Where a run's wall time went (`faultline chaos --timings`): each step from the end of the
 * previous one, then the total and what it spent beyond the scenario's phases.
 */
export class RunTimings {
  private lastMs: number;
  private readonly steps: Array<{ name: string; ms: number }> = [];

  /** `startedMs`: where the total starts (Date.now() time); the CLI passes its process's start, so its start-up counts. */
  constructor(private readonly startedMs = Date.now()) {
    this.lastMs = startedMs;
  }

  /** Ends the step `name` now (or at `atMs`, a Date.now() time). */
  mark(name: string, atMs = Date.now()): void {
    this.steps.push({ name, ms: Math.max(0, atMs - this.lastMs) });
    this.lastMs = Math.max(this.lastMs, atMs);
  }

  /** A note shown beside the step `name`, e.g. how much of the k6 lead k6 needed. */
  note(name: string, text: string): void {
    this.notes.set(name, text);
  }
  private readonly notes = new Map<string, string>();

  /** One line: `prepare 120 ms · environment 0 ms · … · total 17.2 s, 3.2 s beyond the 14 s of phases`. */
  line(phasesMs: number): string {
    const total = this.lastMs - this.startedMs;
    const steps = this.steps.map((s) => `${s.name} ${formatMs(Math.round(s.ms))}${this.notes.has(s.name) ? ` (${this.notes.get(s.name)})` : ''}`).join(' · ');
    return `timings: ${steps} · total ${formatMs(total)}, ${formatMs(Math.max(0, total - phasesMs))} beyond the ${formatMs(phasesMs)} of phases`;
  }
}

/**
 * When k6 had initialised its VUs: the time of the first point in its JSON output (the
 * `vus` gauge it writes as the test starts, before setup() waits for the origin), read from
 * the file's first bytes; undefined when there is none.
 */
export function k6ReadyAt(pointsFile: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(pointsFile, 'r');
    const buffer = Buffer.alloc(4096);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    const time = /"type":"Point","data":\{"time":"([^"]+)"/.exec(text)?.[1];
    const ms = time ? Date.parse(time) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The k6 start step's note: how much of the lead k6 took to be ready, so `load.lead` can be tuned. */
export function k6LeadNote(pointsFile: string, spawnedMs: number, originMs: number): string | undefined {
  const ready = k6ReadyAt(pointsFile);
  if (ready === undefined) return undefined;
  return ready <= originMs ? `k6 ready after ${formatMs(Math.max(0, ready - spawnedMs))}` : `k6 ready ${formatMs(ready - originMs)} after the origin: raise load.lead`;
}
