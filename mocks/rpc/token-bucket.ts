/**
 * A token bucket: `ratePerSecond` tokens flow in continuously, up to `ratePerSecond ×
 * burstSeconds`. Alchemy evaluates compute units per second this way over a 10 s
 * window; a 1 s burst models a plain requests-per-second limit (Infura). O(1) per call,
 * because it sits on the gateway's hot path.
 */
export class TokenBucket {
  readonly capacity: number;
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    burstSeconds = 1,
    now = Date.now(),
  ) {
    this.capacity = ratePerSecond * burstSeconds;
    this.tokens = this.capacity;
    this.updatedAt = now;
  }

  /** Takes `cost` tokens if there are enough; otherwise takes nothing and says how long until there would be. */
  take(cost: number, now = Date.now()): { ok: true } | { ok: false; retryAfterMs: number } {
    this.refill(now);
    if (cost <= this.tokens) {
      this.tokens -= cost;
      return { ok: true };
    }
    // A cost above capacity can never pass; say when the bucket is full, like a provider would.
    const missing = Math.min(cost, this.capacity) - this.tokens;
    return { ok: false, retryAfterMs: Math.ceil((missing / this.ratePerSecond) * 1000) };
  }

  private refill(now: number): void {
    const elapsed = now - this.updatedAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.ratePerSecond);
      this.updatedAt = now;
    }
  }
}

/** Credits per key per UTC day (Infura resets at 00:00 UTC). Rejected requests are not charged. */
export class DailyCredits {
  private day = -1;
  private used = 0;

  constructor(readonly limit: number) {}

  take(cost: number, now = Date.now()): boolean {
    const day = Math.floor(now / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
    if (this.used + cost > this.limit) return false;
    this.used += cost;
    return true;
  }
}
