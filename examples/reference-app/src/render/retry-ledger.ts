/**
 * What the API told each client it turned away: not before this time. A client that comes
 * back sooner did not honour Retry-After; the render routes count it (render_early_retries_total).
 */
export class RetryAfterLedger {
  private notBefore = new Map<string, number>();

  constructor(
    /** Slack for the answer's transit and timer granularity, ms. */
    private readonly toleranceMs = 100,
    private readonly now = () => Date.now(),
  ) {}

  /** The client `key` was told to wait `seconds`. */
  told(key: string, seconds: number): void {
    this.notBefore.set(key, this.now() + seconds * 1000);
    if (this.notBefore.size > 100_000) this.prune();
  }

  /** Whether this request from `key` came before the time it was given (and forgets it once it is past). */
  early(key: string): boolean {
    const until = this.notBefore.get(key);
    if (until === undefined) return false;
    if (this.now() >= until - this.toleranceMs) {
      this.notBefore.delete(key);
      return false;
    }
    return true;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, until] of this.notBefore) if (until < now) this.notBefore.delete(key);
  }
}
