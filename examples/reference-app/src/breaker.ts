export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker: after `threshold` consecutive failures it opens for `cooldownMs`
 * (calls fail at once), then lets one trial call through; its success closes it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt?: number;
  private trialRunning = false;

  constructor(
    readonly threshold = 5,
    readonly cooldownMs = 10_000,
    private readonly now = () => Date.now(),
  ) {}

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** Milliseconds until a trial call is let through (0 when calls may go). */
  retryAfterMs(): number {
    return this.openedAt === undefined ? 0 : Math.max(0, this.cooldownMs - (this.now() - this.openedAt));
  }

  /** Whether a call may go now; in half-open state only one trial at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialRunning) return false;
    this.trialRunning = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.trialRunning = false;
  }

  /** The call ended without a verdict (the caller hung up): neither counts, but a trial slot is free again. */
  abandon(): void {
    this.trialRunning = false;
  }

  failure(): void {
    this.failures++;
    if (this.trialRunning || this.failures >= this.threshold) this.openedAt = this.now();
    this.trialRunning = false;
  }
}
