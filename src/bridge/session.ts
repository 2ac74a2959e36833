// One client connection: frames in, frames out, for one authenticated user.
//
// Every refusal is an `error` frame and the connection stays usable; only three
// things close it: the token expiring (4001), falling too far behind (4008, slow
// consumer: this socket's backlog, or the largest backlogs when the instance's
// total is over budget) and a frame over the hard size cap (1009, by ws itself).
//
// Frames about the same conversation are handled one after the other (a chain
// per conversation), so "subscribe, then message, then unsubscribe" happen in
// that order and two messages reach Kafka in the order they were sent, while a
// slow Kafka ack for one conversation does not hold up the others.
import type { WebSocket } from 'ws';
import { InvalidValueError } from '../codec/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { formatTraceparent, newTrace, traceLogFields } from '../observability/trace.js';
import { isDependencyFailure } from '../pipeline/errors.js';
import type { Validator } from '../pipeline/validation.js';
import type { Identity } from './auth.js';
import type { Authorizer } from './authorization.js';
import type { BufferBudget } from './buffer-budget.js';
import { FanOut, Subscription } from './fanout.js';
import type { ConversationHistory } from './history.js';
import { chatMessageFromFrame, ClientMessageIdReusedError, type InboundPublisher } from './inbound.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import {
  ackFrame,
  CLOSE_CODES,
  errorFrame,
  parseClientFrame,
  PONG_FRAME,
  subscribedFrame,
  unsubscribedFrame,
  type ErrorCode,
  type MessageFrame,
  type SubscribeFrame,
} from './protocol.js';
import type { TokenBucket } from './rate-limit.js';

export interface SessionDeps {
  config: Pick<Config, 'maxFrameBytes' | 'maxBufferedBytes' | 'maxSubscriptions'>;
  authorizer: Authorizer;
  /** The instance's bytes queued for clients, across all sessions. */
  buffers: BufferBudget<Session>;
  history: ConversationHistory;
  fanout: FanOut;
  publisher: InboundPublisher;
  validator: Validator;
  metrics: BridgeMetrics;
  logger: Logger;
  now?: () => number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class Session {
  /** Set by any sign of life; the heartbeat clears it and closes sessions that stay silent. */
  alive = true;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly logger: Logger;
  private readonly now: () => number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `bucket`: the user's frame budget, shared with their other connections (rate-limit.ts). */
  constructor(private readonly ws: WebSocket, readonly identity: Identity, private readonly bucket: TokenBucket, private readonly deps: SessionDeps) {
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger.child({ userId: identity.userId });
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.dispose());
    ws.on('error', (error) => this.logger.debug({ err: error }, 'socket error'));
    this.scheduleExpiry();
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** Closes the connection (shutdown: 1001). */
  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  private scheduleExpiry(): void {
    const ms = this.identity.expiresAt - this.now();
    // Re-armed in steps when the token lives longer than a timer can wait (~24.8 days).
    this.expiryTimer = setTimeout(() => {
      if (this.identity.expiresAt > this.now()) return this.scheduleExpiry();
      this.sendError('UNAUTHENTICATED', 'the token has expired: reconnect with a new one');
      this.close(CLOSE_CODES.tokenExpired, 'token expired');
    }, Math.max(0, Math.min(ms, MAX_TIMER_MS)));
    this.expiryTimer.unref();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiryTimer);
    this.deps.buffers.release(this);
    for (const subscription of this.subscriptions.values()) this.deps.fanout.remove(subscription);
    this.subscriptions.clear();
  }

  /** Bytes queued for this client (ws's send buffer and the socket's). */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Drops the connection as a slow consumer (4008) instead of buffering without
   * bound. The client reconnects and resumes from its last cursor, which costs it
   * nothing. `cause`: this socket's backlog, or the instance's total (buffer-budget.ts).
   */
  dropAsSlowConsumer(cause: 'socket' | 'instance'): void {
    if (this.closed) return;
    this.deps.metrics.slowConsumersDropped.inc();
    if (cause === 'instance') this.deps.metrics.bufferBudgetDrops.inc();
    this.logger.warn({ bufferedAmount: this.ws.bufferedAmount, cause }, 'slow consumer: closing the connection');
    this.dispose();
    this.ws.close(CLOSE_CODES.slowConsumer, 'slow consumer: resume from your last cursor');
    // The close frame queues behind the backlog the client is not reading; do not wait for it.
    setTimeout(() => this.ws.terminate(), 1_000).unref();
  }

  // ---- sending ----------------------------------------------------------

  /**
   * Sends a frame unless the socket has fallen too far behind (then it is dropped
   * as a slow consumer); a send that takes the instance over its buffer budget
   * drops the largest backlogs, possibly this one.
   */
  private send(frame: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.deps.config.maxBufferedBytes) return this.dropAsSlowConsumer('socket');
    this.ws.send(frame);
    this.deps.metrics.framesSent.inc();
    for (const victim of this.deps.buffers.record(this)) victim.dropAsSlowConsumer('instance');
  }

  private sendError(code: ErrorCode, message: string, extra: { ref?: string | null; field?: string | null; retryAfterMs?: number } = {}): void {
    this.deps.metrics.countError(code);
    this.send(errorFrame(code, message, extra));
  }

  // ---- receiving --------------------------------------------------------

  private onFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    this.alive = true;
    this.deps.metrics.framesReceived.inc();
    if (!this.bucket.take(this.now())) {
      return this.sendError('RATE_LIMITED', 'too many frames: slow down', { retryAfterMs: this.bucket.retryAfterMs() });
    }
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > this.deps.config.maxFrameBytes) {
      return this.sendError('FRAME_TOO_LARGE', `frame is ${size} bytes; at most ${this.deps.config.maxFrameBytes} are accepted`);
    }
    if (isBinary) return this.sendError('BAD_FRAME', 'frames are JSON text, not binary');
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return this.sendError('BAD_FRAME', parsed.problem.message, { ref: parsed.problem.ref, field: parsed.problem.field });
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ping':
        return this.send(PONG_FRAME);
      case 'subscribe':
        return this.inOrder(frame.conversationId, frame.conversationId, () => this.subscribe(frame));
      case 'unsubscribe':
        return this.inOrder(frame.conversationId, frame.conversationId, async () => this.unsubscribe(frame.conversationId));
      case 'message':
        return this.inOrder(frame.conversationId, frame.clientMessageId, () => this.message(frame));
    }
  }

  /** Runs work after the previous work on the same conversation; turns failures into error frames. */
  private inOrder(conversationId: string, ref: string, work: () => Promise<void>): void {
    const previous = this.chains.get(conversationId) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.closed) return;
      try {
        await work();
      } catch (error) {
        this.reportFailure(error, ref);
      }
    });
    this.chains.set(conversationId, next);
    void next.finally(() => {
      if (this.chains.get(conversationId) === next) this.chains.delete(conversationId);
    });
  }

  private reportFailure(error: unknown, ref: string): void {
    if (isDependencyFailure(error)) {
      this.deps.metrics.dependencyFailures.inc();
      this.logger.warn({ err: error, ref }, 'dependency unavailable');
      return this.sendError('UNAVAILABLE', 'a service the bridge depends on is unavailable; try again shortly', { ref });
    }
    this.logger.error({ err: error, ref }, 'frame failed');
    this.sendError('INTERNAL', 'the bridge failed on this frame', { ref });
  }

  // ---- frames -----------------------------------------------------------

  private async subscribe(frame: SubscribeFrame): Promise<void> {
    const { conversationId, since } = frame;
    const existing = this.subscriptions.get(conversationId);
    if (existing) {
      // Subscribing again re-synchronises from the new `since`.
      this.deps.fanout.remove(existing);
      this.subscriptions.delete(conversationId);
    } else if (this.subscriptions.size >= this.deps.config.maxSubscriptions) {
      return this.sendError('TOO_MANY_SUBSCRIPTIONS', `at most ${this.deps.config.maxSubscriptions} conversations per connection`, { ref: conversationId });
    }
    const decision = await this.deps.authorizer.authorizeSubscribe(this.identity.userId, conversationId);
    if (!decision.allow) {
      this.logger.info({ conversationId, reason: decision.message }, 'subscribe refused');
      return this.sendError(decision.code, decision.message, { ref: conversationId, field: decision.field });
    }
    if (this.closed) return;
    // Register before reading the history: events consumed from now on queue up
    // in the subscription, so none falls between the read and going live.
    const subscription = new Subscription(conversationId, (f) => this.send(f), since);
    this.deps.fanout.add(subscription);
    this.subscriptions.set(conversationId, subscription);
    try {
      const recovery = await this.deps.history.recover(conversationId, since);
      if (!recovery.ok) {
        this.drop(subscription);
        return this.sendError('HISTORY_GAP', `cannot resume: ${recovery.reason}; subscribe without "since" to start from the kept history`, { ref: conversationId });
      }
      const replayed = subscription.completeRecovery(recovery.entries);
      this.deps.metrics.eventsReplayed.inc(recovery.entries.length);
      this.send(subscribedFrame(conversationId, replayed, subscription.cursor()));
    } catch (error) {
      this.drop(subscription);
      throw error;
    }
  }

  /**
   * Checks live subscriptions again: every one (the user's memberships changed), or
   * the one to `only` (that conversation's hand-off closed). One the user may no
   * longer follow is dropped with error FORBIDDEN, naming the conversation.
   */
  recheckSubscriptions(only?: string): void {
    for (const conversationId of only === undefined ? [...this.subscriptions.keys()] : this.subscriptions.has(only) ? [only] : []) {
      this.inOrder(conversationId, conversationId, async () => {
        const subscription = this.subscriptions.get(conversationId);
        if (!subscription || this.closed) return;
        let decision;
        try {
          decision = await this.deps.authorizer.authorizeSubscribe(this.identity.userId, conversationId, { recheck: true });
        } catch (error) {
          // The directory is unreachable: keep the subscription; the listener checks everything again when it reconnects.
          this.logger.warn({ err: error, conversationId }, 'could not re-check a subscription');
          return;
        }
        if (decision.allow || this.subscriptions.get(conversationId) !== subscription) return;
        this.drop(subscription);
        this.logger.info({ conversationId, reason: decision.message }, 'access lost: subscription ended');
        this.sendError(decision.code, `access lost: ${decision.message}`, { ref: conversationId, field: decision.field });
      });
    }
  }

  private drop(subscription: Subscription): void {
    this.deps.fanout.remove(subscription);
    if (this.subscriptions.get(subscription.conversationId) === subscription) this.subscriptions.delete(subscription.conversationId);
  }

  private unsubscribe(conversationId: string): void {
    const subscription = this.subscriptions.get(conversationId);
    if (subscription) this.drop(subscription);
    this.send(unsubscribedFrame(conversationId));
  }

  private async message(frame: MessageFrame): Promise<void> {
    const ref = frame.clientMessageId;
    const userId = this.identity.userId;
    // Validate first with a placeholder id: a bad message must not cost a Redis
    // key, and the rules do not look at the id beyond its shape.
    const draft = chatMessageFromFrame(frame, userId, '00000000-0000-4000-8000-000000000000', new Date(this.now()));
    const rejection = await this.deps.validator(draft);
    if (rejection) return this.sendError('INVALID_EVENT', rejection.message, { ref, field: rejection.field });
    const decision = await this.deps.authorizer.authorizePost(userId, frame.conversationId, frame);
    if (!decision.allow) {
      this.logger.warn({ conversationId: frame.conversationId, chatType: frame.chatType, businessId: frame.businessId, reason: decision.message }, 'message refused');
      return this.sendError(decision.code, decision.message, { ref, field: decision.field });
    }
    let eventId: string;
    try {
      eventId = await this.deps.publisher.eventIdFor(userId, frame);
    } catch (error) {
      if (error instanceof ClientMessageIdReusedError) return this.sendError('BAD_FRAME', error.message, { ref, field: 'clientMessageId' });
      throw error;
    }
    // STAFF when the authorization let a member answer through a hand-off: decided
    // here from the token and the database, never by the frame.
    const message = { ...draft, eventId, senderRole: decision.staff ? 'STAFF' as const : 'USER' as const };
    // The message starts a trace here: everything it causes downstream joins it.
    const trace = newTrace();
    try {
      await this.deps.publisher.publish(message, formatTraceparent(trace));
    } catch (error) {
      if (error instanceof InvalidValueError) return this.sendError('INVALID_EVENT', error.message, { ref, field: error.field });
      throw error;
    }
    this.deps.metrics.messagesProduced.inc();
    this.logger.info({ conversationId: message.conversationId, eventId, ...traceLogFields(trace) }, 'message produced');
    this.send(ackFrame(frame.clientMessageId, eventId));
  }
}
