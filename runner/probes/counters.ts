/**
 * Turns cumulative counters (Redis INFO, pg_stat_database, a Prometheus counter) into
 * increases per tick: the first reading only sets the baseline; a counter that went
 * down (the server restarted) starts again from its new value.
 */
export class CounterDeltas {
  private last = new Map<string, number>();
  private lastAtMs?: number;
  private ticks = 0;

  /** Starts a tick; returns the seconds since the previous one (undefined on the first). */
  tick(atMs = performance.now()): number | undefined {
    const seconds = this.lastAtMs === undefined ? undefined : (atMs - this.lastAtMs) / 1000;
    this.lastAtMs = atMs;
    this.ticks++;
    return seconds;
  }

  /** The increase of `key` since the previous tick; undefined on its first reading. */
  delta(key: string, value: number): number | undefined {
    const previous = this.last.get(key) ?? (this.ticks > 1 ? 0 : undefined);
    this.last.set(key, value);
    if (previous === undefined) return undefined;
    return value >= previous ? value - previous : value;
  }
}
