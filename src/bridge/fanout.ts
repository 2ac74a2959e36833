// Local fan-out: which sockets of this instance follow which conversation, and
// the hand-over from replayed history to live events without a gap or a repeat.
//
// A subscribe first registers the subscription (so live events start queueing
// up), then reads the history, then sends history followed by the queued live
// events. Every event the consumer delivers was written to the history before
// (outbound-consumer.ts), so an event is either in what the read returned or
// arrives in the queue afterwards, or both; a per-subscription "last delivered
// offset" drops the overlap. The same rule drops the events a consumer sees
// again after a rebalance or a restart.
import { formatCursor, type Cursor } from './cursor.js';
import type { HistoryEntry } from './history.js';
import { eventFrame } from './protocol.js';

export class Subscription {
  private recovering = true;
  private queued: HistoryEntry[] = [];
  private last: Cursor | null;
  private closed = false;

  constructor(
    readonly conversationId: string,
    /** Sends one frame to the client. */
    private readonly send: (frame: string) => void,
    since: Cursor | null,
  ) {
    this.last = since;
  }

  /** A live event from the consumer. */
  offer(entry: HistoryEntry): void {
    if (this.closed) return;
    if (this.recovering) this.queued.push(entry);
    else this.deliver(entry);
  }

  /** Sends the recovered history, then what queued up meanwhile; goes live. Returns how many events were sent. */
  completeRecovery(history: HistoryEntry[]): number {
    let sent = 0;
    for (const entry of history) if (this.deliver(entry)) sent++;
    const queued = this.queued;
    this.queued = [];
    // The consumer delivers in offset order per partition, history is read in offset order:
    // sorting is only needed because the two interleave.
    queued.sort((a, b) => a.cursor.offset - b.cursor.offset);
    for (const entry of queued) if (this.deliver(entry)) sent++;
    this.recovering = false;
    return sent;
  }

  /** The cursor of the last event sent (or the `since` it started from). */
  cursor(): string | null {
    return this.last === null ? null : formatCursor(this.last);
  }

  close(): void {
    this.closed = true;
    this.queued = [];
  }

  private deliver(entry: HistoryEntry): boolean {
    if (this.closed) return false;
    const last = this.last;
    // Same partition: offsets order the conversation, skip what was sent. Another
    // partition: the topic was repartitioned; the new partition's offsets start over.
    if (last !== null && entry.cursor.partition === last.partition && entry.cursor.offset <= last.offset) return false;
    this.last = entry.cursor;
    this.send(eventFrame(this.conversationId, formatCursor(entry.cursor), entry.eventJson));
    return true;
  }
}

/** conversationId → the subscriptions of this instance's sockets. */
export class FanOut {
  private readonly byConversation = new Map<string, Set<Subscription>>();

  add(subscription: Subscription): void {
    let set = this.byConversation.get(subscription.conversationId);
    if (!set) this.byConversation.set(subscription.conversationId, (set = new Set()));
    set.add(subscription);
  }

  remove(subscription: Subscription): void {
    subscription.close();
    const set = this.byConversation.get(subscription.conversationId);
    if (!set) return;
    set.delete(subscription);
    if (set.size === 0) this.byConversation.delete(subscription.conversationId);
  }

  /** Offers a live event to every local subscriber of its conversation; returns how many there are. */
  publish(conversationId: string, entry: HistoryEntry): number {
    const set = this.byConversation.get(conversationId);
    if (!set) return 0;
    for (const subscription of set) subscription.offer(entry);
    return set.size;
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const set of this.byConversation.values()) n += set.size;
    return n;
  }
}
