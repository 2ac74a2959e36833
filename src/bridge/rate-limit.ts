// Per-connection rate limit: a token bucket.
//
// A bucket lets a client burst (a page that subscribes to a few conversations at
// once after a reconnect) while capping its sustained rate, which is what costs
// us: every frame may mean a database lookup or a Kafka write. The clock is
// passed in so the arithmetic is testable without waiting.

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSec: number;
  /** Most tokens held at once (the burst). */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly options: TokenBucketOptions, nowMs: number) {
    this.tokens = options.burst;
    this.updatedAt = nowMs;
  }

  /** Takes one token if there is one; false means "over the limit, refuse". */
  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.updatedAt);
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed / 1000) * this.options.ratePerSec);
    this.updatedAt = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token, for the client's retry hint. */
  retryAfterMs(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.options.ratePerSec) * 1000);
  }
}
