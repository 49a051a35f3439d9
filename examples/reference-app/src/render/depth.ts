/**
 * The queue's depth for admission control without a Redis round trip per request: the count
 * is read at most every `maxAgeMs` (one read in flight at a time), and every job admitted
 * since is added to it, so a burst between two reads cannot overshoot the limit.
 */
export class QueueDepth {
  private count = 0;
  private admitted = 0;
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly maxAgeMs = 200,
    private readonly now = () => performance.now(),
  ) {}

  /** Jobs waiting, as of at most `maxAgeMs` ago plus those admitted since. */
  async current(): Promise<number> {
    if (this.now() - this.readAt >= this.maxAgeMs) {
      this.reading ??= this.read()
        .then((count) => {
          this.count = count;
          this.admitted = 0;
          this.readAt = this.now();
        })
        .finally(() => (this.reading = undefined));
      await this.reading;
    }
    return this.count + this.admitted;
  }

  /** A job was queued after `current()` said there was room. */
  admit(): void {
    this.admitted += 1;
  }
}
