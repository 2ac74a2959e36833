// Per-user rate limit: a token bucket, shared by all of a user's connections to
// this instance.
//
// A bucket lets a client burst (a page that subscribes to a few conversations at
// once after a reconnect) while capping its sustained rate, which is what costs
// us: every frame may mean a database lookup or a Kafka write. One bucket per user
// rather than per socket, so opening more sockets does not buy more frames. The
// clock is passed in so the arithmetic is testable without waiting.

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

/**
 * One bucket per key (a user), shared by everyone holding it. A bucket nobody holds
 * is forgotten only once it would have refilled completely, so closing every socket
 * and reconnecting does not reset a user's budget.
 */
export class SharedBuckets {
  private readonly entries = new Map<string, { bucket: TokenBucket; holders: number; forget?: NodeJS.Timeout }>();
  private readonly refillMs: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.refillMs = Math.ceil((options.burst / options.ratePerSec) * 1000);
  }

  /** The key's bucket, held until `release` (once). */
  hold(key: string, nowMs: number): { bucket: TokenBucket; release(): void } {
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { bucket: new TokenBucket(this.options, nowMs), holders: 0 }));
    clearTimeout(entry.forget);
    entry.holders++;
    const held = entry;
    let released = false;
    return {
      bucket: held.bucket,
      release: () => {
        if (released) return;
        released = true;
        if (--held.holders > 0) return;
        held.forget = setTimeout(() => {
          if (held.holders === 0 && this.entries.get(key) === held) this.entries.delete(key);
        }, this.refillMs);
        held.forget.unref();
      },
    };
  }

  /** Keys with a bucket (held, or not yet refilled). */
  get size(): number {
    return this.entries.size;
  }
}
