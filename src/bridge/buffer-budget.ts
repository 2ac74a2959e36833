// The bytes queued for clients across all sockets of an instance, bounded.
//
// Each socket is already cut off past X7_MAX_BUFFERED_BYTES (session.ts), but a
// thousand sockets that stop reading could still hold a thousand times that. This
// keeps a running total of what each socket held after its last send; when the
// total passes X7_MAX_BUFFERED_BYTES_TOTAL, it measures every socket again and
// names the largest backlogs to drop (as slow consumers, 4008) until the rest fits.
//
// A socket drains without telling us, so a recorded amount is an upper bound until
// measured again; measuring all is O(sockets), so it happens at most once per
// `remeasureEveryMs` while the running total says "over". A send in between is
// let through: the overshoot is what the instance sends in that window, and
// every socket's own bound still holds.

export interface BufferBudgetOptions<T> {
  maxBytes: number;
  /** Bytes queued for `holder` now (ws's bufferedAmount). */
  measure: (holder: T) => number;
  remeasureEveryMs?: number;
  now?: () => number;
}

export class BufferBudget<T> {
  private readonly held = new Map<T, number>();
  private total = 0;
  private measuredAt = Number.NEGATIVE_INFINITY;
  private readonly remeasureEveryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BufferBudgetOptions<T>) {
    this.remeasureEveryMs = options.remeasureEveryMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  /**
   * Records what `holder` holds after a send. Returns the holders to drop, largest
   * backlog first, when the instance is over its budget (usually none); the caller
   * drops them and `release`s each.
   */
  record(holder: T): T[] {
    this.set(holder, this.options.measure(holder));
    if (this.total <= this.options.maxBytes) return [];
    const now = this.now();
    if (now - this.measuredAt < this.remeasureEveryMs) return [];
    this.measuredAt = now;
    for (const h of this.held.keys()) this.set(h, this.options.measure(h));
    if (this.total <= this.options.maxBytes) return [];
    const victims: T[] = [];
    let total = this.total;
    for (const [h, bytes] of [...this.held].sort((a, b) => b[1] - a[1])) {
      if (total <= this.options.maxBytes) break;
      victims.push(h);
      total -= bytes;
    }
    return victims;
  }

  /** Forgets a holder (its socket closed). */
  release(holder: T): void {
    this.total -= this.held.get(holder) ?? 0;
    this.held.delete(holder);
  }

  /** The running total: what the sockets held after their last sends (an upper bound). */
  get recordedBytes(): number {
    return this.total;
  }

  private set(holder: T, bytes: number): void {
    this.total += bytes - (this.held.get(holder) ?? 0);
    this.held.set(holder, bytes);
  }
}
