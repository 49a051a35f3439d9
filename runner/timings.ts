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
