// chat.outbound → history → local subscribers.
//
// Scale-out: every bridge instance consumes the whole topic in a consumer group
// of its own (X7_BRIDGE_INSTANCE_ID), so every instance sees every event and can
// serve any conversation, whichever instance the client's message went through.
// For each record, the history write comes first and the local delivery second,
// which is what lets a subscriber switch from history to live without a gap
// (fanout.ts). Why Kafka and not Redis pub/sub for the fan-out: see README.md.
//
// The group is named after the instance (X7_BRIDGE_INSTANCE_ID), so a restarted
// instance resumes from its committed offset. A new group (a new instance, or a
// restarted pod with a new name) must not start at the end of the topic: events
// produced while no instance ran would never reach the history, and a client
// resuming across that time would get a silent gap. The instances therefore keep
// a shared watermark in Redis, per partition the highest offset written to the
// history (history.ts), and a new group starts right after it. Only when there is
// no watermark at all (the very first bridge) does it start at the end.
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { BadDataError, type EventCodec } from '../codec/index.js';
import type { Logger } from '../log.js';
import { topicName } from '../kafka/topics.js';
import { GROUP_TIMING } from '../kafka/client.js';
import { isDependencyFailure } from '../pipeline/errors.js';
import { backoffDelayMs, type BackoffPolicy } from '../runtime/backoff.js';
import { cursorOf, type Cursor } from './cursor.js';
import type { FanOut } from './fanout.js';
import type { ConversationHistory } from './history.js';
import type { BridgeMetrics } from '../observability/metrics.js';

export interface OutboundConsumerOptions {
  kafka: Kafka;
  codec: EventCodec;
  history: ConversationHistory;
  fanout: FanOut;
  metrics: BridgeMetrics;
  logger: Logger;
  topicPrefix: string;
  groupId: string;
  backoff: BackoffPolicy;
  /** The consumer stopped for good (kafkajs gave up): the process should exit. */
  onFatal: (error: Error) => void;
}

interface Decoded {
  conversationId: string;
  cursor: Cursor;
  eventJson: string;
}

export class OutboundConsumer {
  private consumer: Consumer | null = null;
  private joined = false;
  private failing = false;
  private stopping = false;
  private partitionCount = 0;
  private readonly topic: string;

  constructor(private readonly options: OutboundConsumerOptions) {
    this.topic = topicName({ topicPrefix: options.topicPrefix }, 'chat.outbound');
  }

  /** Joined its group and not stuck on a dependency. */
  get ready(): boolean {
    return this.joined && !this.failing;
  }

  async start(): Promise<void> {
    const { kafka, groupId, logger } = this.options;
    await this.untilAvailable('preparing the consumer group', () => this.initialiseNewGroup());
    const consumer = kafka.consumer({
      groupId,
      // A restarted instance rejoins its own group: a short session lets the
      // coordinator forget the dead member quickly instead of waiting 30 s.
      ...GROUP_TIMING,
      // The processor writes chat.outbound in transactions: only committed
      // events reach clients, aborted ones never do.
      readUncommitted: false,
      maxWaitTimeInMs: 250,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment[this.topic]?.length ?? 0;
      if (this.partitionCount > 0 && assigned < this.partitionCount) {
        // Another process joined this group: each would see only part of the
        // events and its clients would miss the rest. Refuse to report ready.
        this.joined = false;
        logger.error({ groupId, assigned, partitions: this.partitionCount },
          'another process shares this bridge\'s consumer group: give every instance its own X7_BRIDGE_INSTANCE_ID');
        return;
      }
      this.joined = true;
      logger.info({ groupId, topic: this.topic }, 'consuming chat.outbound');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts the consumer after a retriable crash (the broker went
      // away); until it has rejoined, this instance delivers nothing: not ready.
      this.joined = false;
      if (!payload.restart && !this.stopping) this.options.onFatal(payload.error);
    });
    await consumer.connect();
    // fromBeginning applies only to partitions without a committed offset: a
    // partition added to the topic later is read from its start, not skipped.
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({ eachBatchAutoResolve: false, autoCommitInterval: 1_000, eachBatch: (payload) => this.eachBatch(payload) });
  }

  /**
   * Runs a start-up step until it succeeds, waiting out dependency failures with
   * backoff: a broker that is still loading its group coordinator (a fresh or
   * restarting Kafka) answers NOT_COORDINATOR for a while, which is no reason to exit.
   */
  private async untilAvailable(what: string, work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        if (!isDependencyFailure(error) || this.stopping) throw error;
        this.options.metrics.dependencyFailures.inc();
        const delay = backoffDelayMs(attempt, this.options.backoff);
        this.options.logger.warn({ err: error, attempt, retryInMs: delay }, `${what}: dependency unavailable, retrying`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.joined = false;
    await this.consumer?.disconnect();
  }

  /**
   * A group that has no committed offsets at all is new: commit its starting
   * offsets before joining (see the top of this file). Doing it explicitly also
   * means that once the bridge reports ready, every event produced afterwards is
   * delivered; kafkajs's own "latest" is resolved some time after the join.
   */
  private async initialiseNewGroup(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.topic] });
      const offsets = await admin.fetchTopicOffsets(this.topic);
      this.partitionCount = offsets.length;
      if (committed && committed.partitions.some((p) => p.offset !== '-1')) return;
      const marks = await this.options.history.watermarks();
      const start = offsets.map((o) => {
        const mark = marks.get(o.partition);
        const [low, high] = [Number(o.low), Number(o.high)];
        // Right after the mark, within what the topic still holds.
        const offset = mark === undefined ? high : Math.min(Math.max(mark + 1, low), high);
        return { partition: o.partition, offset: String(offset) };
      });
      await admin.setOffsets({ groupId: this.options.groupId, topic: this.topic, partitions: start });
      this.options.logger.info({ groupId: this.options.groupId, start }, 'new consumer group: starting after the history watermark');
    } finally {
      await admin.disconnect();
    }
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { codec, history, fanout, metrics, logger } = this.options;
    const records: Decoded[] = [];
    for (const message of batch.messages) {
      const decoded = await this.withRetry(isRunning, isStale, heartbeat, async () => {
        try {
          return await codec.decode('chat.outbound', message.value);
        } catch (error) {
          if (error instanceof BadDataError) return error;
          throw error;
        }
      });
      if (decoded === undefined) return; // stopping or rebalanced: nothing resolved past here
      metrics.eventsConsumed.inc();
      if (decoded instanceof BadDataError) {
        // chat.outbound is written by our processor through the registry, so this
        // is a bug or a foreign writer. It cannot be shown to anyone; holding the
        // partition would stop every conversation on it. Logged and counted.
        metrics.eventsUndecodable.inc();
        logger.error({ partition: batch.partition, offset: message.offset, code: decoded.code, err: decoded }, 'undecodable chat.outbound record, not delivered');
        continue;
      }
      const event = decoded.value;
      records.push({ conversationId: event.conversationId, cursor: cursorOf(batch.partition, message.offset), eventJson: JSON.stringify(event) });
    }
    const lastOffset = batch.messages[batch.messages.length - 1]?.offset;
    const written = await this.withRetry(isRunning, isStale, heartbeat, async () => {
      await history.append(records);
      if (lastOffset !== undefined) await history.markWritten(batch.partition, Number(lastOffset));
      return true;
    });
    if (written === undefined) return;
    for (const record of records) {
      metrics.eventsDelivered.inc(fanout.publish(record.conversationId, { cursor: record.cursor, eventJson: record.eventJson }));
    }
    if (lastOffset !== undefined) resolveOffset(lastOffset);
    await heartbeat();
  }

  /**
   * Runs `work` until it succeeds; a dependency outage (Redis, the registry) is
   * waited out with backoff, never skipped. Resolves undefined when the consumer
   * stops or loses the partition meanwhile.
   */
  private async withRetry<T>(isRunning: () => boolean, isStale: () => boolean, heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      if (!isRunning() || isStale()) return undefined;
      try {
        const result = await work();
        if (this.failing) this.options.logger.info('dependency is back: chat.outbound delivery resumed');
        this.failing = false;
        return result;
      } catch (error) {
        if (!isDependencyFailure(error)) throw error;
        this.options.metrics.dependencyFailures.inc();
        if (!this.failing) this.options.logger.error({ err: error }, 'dependency unavailable: chat.outbound delivery paused');
        this.failing = true;
        const until = Date.now() + backoffDelayMs(attempt, this.options.backoff);
        while (Date.now() < until && isRunning()) {
          await new Promise((r) => setTimeout(r, Math.min(500, until - Date.now())));
          await heartbeat().catch(() => undefined);
        }
      }
    }
  }
}

/** The consumer group of an instance. */
export function bridgeGroupId(topicPrefix: string, instanceId: string): string {
  return `${topicPrefix}x7-bridge-${instanceId}`;
}

/**
 * X7_BRIDGE_INSTANCE_ID, or "<hostname>-<port>": stable across restarts of the
 * same instance, distinct between instances on one host. An ephemeral port (0)
 * says nothing stable, so that case gets a random suffix.
 */
export function defaultInstanceId(configured: string, host: string, port: number): string {
  if (configured !== '') return configured;
  return port === 0 ? `${host}-${randomUUID().slice(0, 8)}` : `${host}-${port}`;
}
