// The processor runtime: a consumer group on chat.inbound that runs each record
// through the pipeline and produces the results exactly once.
//
// Exactly once: every partition has its own transactional producer; the outputs
// (or DLQ record) of a run of records and the input offset after them are sent in
// one transaction, so they become visible together or not at all. Several records
// share a transaction when a fetch brings several (throughput), up to a cap (so a
// failure redoes little and the transaction stays well inside its timeout).
//
// An unavailable dependency is not bad data: what succeeded before it is
// committed, the partition pauses, its position goes back to the failing record,
// and a timer resumes it after an exponential backoff. Other partitions go on.
import type { Admin, Consumer, EachBatchPayload, KafkaMessage, TopicMessages } from 'kafkajs';
import { createCodec, type EventCodec } from '../codec/index.js';
import type { Config } from '../config.js';
import { createKafka } from '../kafka/client.js';
import { topicName } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { createMetricsRegistry, createProcessorMetrics, type ProcessorMetrics } from '../observability/metrics.js';
import { classifyFailure, describeError } from '../pipeline/errors.js';
import type { RejectionCode } from '../pipeline/rejection.js';
import { ProcessorRegistry, systemClock, type ChatProcessor, type Clock, type CommitParticipant } from '../pipeline/processor.js';
import { createValidator, type AsyncRule } from '../pipeline/validation.js';
import { backoffDelayMs } from './backoff.js';
import { createCounters, type RuntimeCounters } from './counters.js';
import { createPartitionProducers, type PartitionProducers } from './partition-producers.js';
import { createRecordHandler, type OutgoingRecord, type RecordHandler } from './record-handler.js';

export const DEFAULT_MAX_RECORDS_PER_TRANSACTION = 200;
export const DEFAULT_MAX_TRANSACTION_MS = 500;

export interface ProcessorRuntimeOptions {
  config: Config;
  /** One per chat type; the runtime is not created when a type has none. */
  processors: readonly ChatProcessor[];
  logger: Logger;
  clock?: Clock;
  /** Layer-3 checks that need a dependency (e.g. the known-business rule). */
  asyncRules?: readonly AsyncRule[];
  /** Largest number of input records committed in one transaction. */
  maxRecordsPerTransaction?: number;
  /**
   * Longest a run of processed records waits for its commit: outputs become visible
   * only then, so slow processors must not hold a whole batch's replies back.
   */
  maxTransactionMs?: number;
  /** Called when the consumer crashed for good (kafkajs will not restart it). */
  onFatal?: (error: Error) => void;
  /** Where the runtime's metrics go; default: a registry of its own. */
  metrics?: ProcessorMetrics;
  /** Stores whose staged writes must be durable before each commit (the conversation store). */
  participants?: readonly CommitParticipant[];
}

export interface ProcessorRuntime {
  start(): Promise<void>;
  /** Stops fetching, finishes and commits the in-flight batches, disconnects. */
  stop(): Promise<void>;
  readonly counters: RuntimeCounters;
  readonly metrics: ProcessorMetrics;
  /**
   * Why the runtime is not ready (empty when it is): not running, no partition of
   * chat.inbound assigned, or partitions paused after a failure (with the reason).
   */
  notReady(): string[];
}

/** A transaction that could not be committed; the records from `offset` on are redone. */
class CommitFailed extends Error {
  override name = 'CommitFailed';
  constructor(readonly offset: string, readonly failure: unknown) {
    super(describeError(failure), { cause: failure });
  }
}

interface Processed {
  offset: string;
  outputs: OutgoingRecord[];
  rejected: RejectionCode | null;
  chatType: string;
  /** The analytics outcome, or REJECTED. */
  outcome: string;
}

export function createProcessorRuntime(options: ProcessorRuntimeOptions): ProcessorRuntime {
  const { config } = options;
  // Refuse before touching any service: a chat type without a processor would
  // otherwise surface only when its first message arrives.
  const registry = new ProcessorRegistry(options.processors);
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const maxPerTransaction = options.maxRecordsPerTransaction ?? DEFAULT_MAX_RECORDS_PER_TRANSACTION;
  const maxTransactionMs = options.maxTransactionMs ?? DEFAULT_MAX_TRANSACTION_MS;
  const inboundTopic = topicName(config, 'chat.inbound');
  const counters = createCounters();
  const metrics = options.metrics ?? createProcessorMetrics(createMetricsRegistry({ defaultMetrics: false }));
  const participants = options.participants ?? [];
  const rollback = (partition: number) => {
    for (const participant of participants) participant.rollback(partition);
  };
  const logicalTopic = (physical: string) => (config.topicPrefix && physical.startsWith(config.topicPrefix) ? physical.slice(config.topicPrefix.length) : physical);

  let consumer: Consumer | undefined;
  let admin: Admin | undefined;
  let codec: EventCodec | undefined;
  let producers: PartitionProducers | undefined;
  let handle: RecordHandler | undefined;
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  // Per partition: consecutive failures (for the backoff) and the pending resume.
  const attempts = new Map<number, number>();
  const resumeTimers = new Map<number, NodeJS.Timeout>();
  // Readiness: the partitions of chat.inbound this member owns, and why any is held back.
  let assigned: number[] = [];
  const pausedFor = new Map<number, string>();

  const pauseAndRetry = (partition: number, offset: string, error: unknown) => {
    const attempt = (attempts.get(partition) ?? 0) + 1;
    attempts.set(partition, attempt);
    const delayMs = backoffDelayMs(attempt, { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs });
    counters.dependencyFailures += 1;
    const failure = classifyFailure(error);
    metrics.dependencyFailures.inc({ dependency: failure.dependency });
    pausedFor.set(partition, `${failure.retriable ? '' : 'unexpected error: '}${describeError(error)}`.slice(0, 300));
    const details = { topic: inboundTopic, partition, offset, attempt, retryInMs: delayMs, error: describeError(error) };
    if (failure.retriable) logger.warn(details, 'dependency unavailable: partition paused, will retry from this offset');
    else logger.error({ ...details, err: error }, 'unexpected error in the runtime: partition paused, will retry from this offset');

    consumer!.pause([{ topic: inboundTopic, partitions: [partition] }]);
    consumer!.seek({ topic: inboundTopic, partition, offset });
    // Stopping: nothing was committed past the offset; no timer may keep the process up.
    if (state !== 'running') return;
    clearTimeout(resumeTimers.get(partition));
    if (!resumeTimers.has(partition)) counters.partitionsPaused += 1;
    resumeTimers.set(partition, setTimeout(() => {
      resumeTimers.delete(partition);
      counters.partitionsPaused -= 1;
      if (state === 'running') consumer!.resume([{ topic: inboundTopic, partitions: [partition] }]);
    }, delayMs));
  };

  /** Sends the run's outputs and the offset after its last record in one transaction. */
  const commitRun = async (partition: number, run: Processed[], resolveOffset: (offset: string) => void) => {
    if (run.length === 0) return;
    const first = run[0]!.offset;
    const last = run[run.length - 1]!.offset;
    const { producer } = await producers!.get(inboundTopic, partition).catch((error: unknown) => {
      rollback(partition);
      throw new CommitFailed(first, error);
    });
    // The run's state goes to its store before the offsets move: a crash after this
    // redelivers records whose state says they were applied, and they replay.
    try {
      const started = performance.now();
      for (const participant of participants) await participant.flush(partition);
      metrics.observeStage('state', (performance.now() - started) / 1000);
    } catch (error) {
      rollback(partition);
      throw new CommitFailed(first, error);
    }
    let transaction: Awaited<ReturnType<typeof producer.transaction>> | undefined;
    try {
      let started = performance.now();
      transaction = await producer.transaction();
      const topicMessages = groupByTopic(run.flatMap((p) => p.outputs));
      if (topicMessages.length > 0) await transaction.sendBatch({ topicMessages });
      metrics.observeStage('produce', (performance.now() - started) / 1000);
      started = performance.now();
      await transaction.sendOffsets({
        consumerGroupId: config.consumerGroup,
        topics: [{ topic: inboundTopic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }],
      });
      await transaction.commit();
      metrics.observeStage('commit', (performance.now() - started) / 1000);
    } catch (error) {
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      counters.transactionsAborted += 1;
      metrics.transactions.inc({ result: 'aborted' });
      // The producer may be fenced or mid-way through a broken transaction; the
      // retry starts from a fresh one (which fences this one, if still alive).
      await producers!.release(inboundTopic, partition);
      throw new CommitFailed(first, error);
    }
    resolveOffset(last);
    attempts.delete(partition);
    pausedFor.delete(partition);
    counters.transactionsCommitted += 1;
    metrics.transactions.inc({ result: 'committed' });
    counters.recordsCommitted += run.length;
    for (const p of run) {
      metrics.events.inc({ chat_type: p.chatType, outcome: p.outcome });
      if (p.rejected) {
        counters.recordsRejected[p.rejected] = (counters.recordsRejected[p.rejected] ?? 0) + 1;
        metrics.dlqRecords.inc({ code: p.rejected });
      } else {
        counters.outputsCommitted += p.outputs.length;
        for (const output of p.outputs) metrics.outputs.inc({ topic: logicalTopic(output.topic) });
      }
    }
  };

  /**
   * A new owner of a partition (after a rebalance) may have been handed an
   * offset that the previous owner moved past in a transaction that committed
   * before our producer fenced it. Once fenced, the committed offset is final:
   * start from there instead of redoing committed records.
   */
  const skipsCommittedRecords = async (partition: number, firstOffset: string): Promise<boolean> => {
    const [entry] = await admin!.fetchOffsets({ groupId: config.consumerGroup, topics: [inboundTopic] });
    const committed = entry?.partitions.find((p) => p.partition === partition)?.offset;
    if (committed === undefined || BigInt(committed) < 0n || BigInt(committed) <= BigInt(firstOffset)) return false;
    logger.info({ topic: inboundTopic, partition, fetchedFrom: firstOffset, committed }, 'offset already committed by the previous owner; continuing from it');
    consumer!.seek({ topic: inboundTopic, partition, offset: committed });
    return true;
  };

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const { partition } = batch;
    if (batch.messages.length === 0) return;
    let nextUncommitted = batch.messages[0]!.offset;
    // Whatever an earlier, interrupted batch staged is redone from here.
    rollback(partition);
    try {
      const { fresh } = await producers!.get(inboundTopic, partition);
      if (fresh) {
        const skipped = await skipsCommittedRecords(partition, nextUncommitted).catch(async (error: unknown) => {
          // Unchecked, the producer must not be used: the check runs again with a new one.
          await producers!.release(inboundTopic, partition);
          throw error;
        });
        if (skipped) return;
      }

      let run: Processed[] = [];
      let runStartedAt = Date.now();
      const flush = async () => {
        await commitRun(partition, run, resolveOffset);
        run = [];
        runStartedAt = Date.now();
      };
      for (const message of batch.messages) {
        // Stopping: commit what is done; the rest is fetched again by the next owner.
        if (!isRunning() || isStale()) break;
        let processed: Processed;
        try {
          processed = await processRecord(partition, message);
        } catch (error) {
          await flush();
          nextUncommitted = message.offset;
          throw error;
        }
        run.push(processed);
        if (run.length >= maxPerTransaction || Date.now() - runStartedAt >= maxTransactionMs) {
          await flush();
          nextUncommitted = (BigInt(processed.offset) + 1n).toString();
        }
        // Throttled by kafkajs to its heartbeat interval; keeps the membership of a
        // member whose processors are slow, and reports a rebalance early.
        await heartbeat();
      }
      await flush();
    } catch (error) {
      if (error instanceof CommitFailed) pauseAndRetry(partition, error.offset, error.failure);
      else if (isRebalancing(error)) throw error;
      else pauseAndRetry(partition, nextUncommitted, error);
    }
  };

  const processRecord = async (partition: number, message: KafkaMessage): Promise<Processed> => {
    const outcome = await handle!({
      topic: inboundTopic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: message.headers,
    });
    return outcome.kind === 'rejected'
      ? { offset: message.offset, outputs: outcome.outputs, rejected: outcome.rejection.code, chatType: outcome.chatType, outcome: 'REJECTED' }
      : { offset: message.offset, outputs: outcome.outputs, rejected: null, chatType: outcome.message.chatType, outcome: outcome.outcome };
  };

  /** Per assigned partition: high watermark − committed offset (what is left to process). */
  const lag = async (): Promise<{ topic: string; partition: number; lag: number }[]> => {
    if (state !== 'running' || !admin || assigned.length === 0) return [];
    const [highs, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(inboundTopic),
      admin.fetchOffsets({ groupId: config.consumerGroup, topics: [inboundTopic] }),
    ]);
    const result: { topic: string; partition: number; lag: number }[] = [];
    for (const partition of assigned) {
      const high = highs.find((h) => h.partition === partition);
      if (!high) continue;
      const at = committed?.partitions.find((p) => p.partition === partition)?.offset;
      // No committed offset yet: a new group starts at the beginning (low watermark).
      const from = at === undefined || BigInt(at) < 0n ? BigInt(high.low) : BigInt(at);
      const behind = BigInt(high.high) - from;
      result.push({ topic: inboundTopic, partition, lag: Number(behind > 0n ? behind : 0n) });
    }
    return result;
  };
  metrics.setHooks({ lag, pausedPartitions: () => counters.partitionsPaused });

  return {
    counters,
    metrics,

    notReady() {
      if (state !== 'running') return [`processor runtime ${state}`];
      const problems: string[] = [];
      if (assigned.length === 0) problems.push(`no partition of ${inboundTopic} assigned`);
      for (const [partition, reason] of [...pausedFor].sort(([a], [b]) => a - b)) problems.push(`partition ${partition} paused: ${reason}`);
      return problems;
    },

    async start() {
      if (state !== 'new') throw new Error(`the processor runtime cannot start: it is ${state}`);
      state = 'starting';
      const kafka = createKafka(config, 'processor', logger.child({ component: 'kafkajs' }));
      codec = createCodec(config);
      producers = createPartitionProducers(kafka, config.consumerGroup, logger);
      handle = createRecordHandler({
        config,
        codec,
        processors: registry,
        validate: createValidator({ limits: config, now: () => clock.now(), asyncRules: options.asyncRules }),
        clock,
        logger,
        metrics,
      });
      const admin_ = (admin = kafka.admin());
      const consumer_ = (consumer = kafka.consumer({
        groupId: config.consumerGroup,
        // Inputs may come from transactional producers too; never act on aborted data.
        readUncommitted: false,
        maxWaitTimeInMs: 250,
      }));
      consumer_.on(consumer_.events.GROUP_JOIN, ({ payload }) => {
        logger.info({ group: config.consumerGroup, assignment: payload.memberAssignment }, 'joined the consumer group');
        assigned = [...(payload.memberAssignment[inboundTopic] ?? [])].sort((a, b) => a - b);
        for (const participant of participants) participant.assign(assigned);
        for (const partition of pausedFor.keys()) if (!assigned.includes(partition)) pausedFor.delete(partition);
        void producers!.retainOnly(payload.memberAssignment);
      });
      consumer_.on(consumer_.events.REBALANCING, () => {
        assigned = [];
      });
      consumer_.on(consumer_.events.CRASH, ({ payload }) => {
        assigned = [];
        logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
        if (!payload.restart) options.onFatal?.(payload.error);
      });
      try {
        await admin_.connect();
        const missing = (await missingTopics(admin_, [inboundTopic, ...OUTPUT_TOPICS.map((t) => topicName(config, t))]));
        if (missing.length > 0) throw new Error(`topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist (run "x7 topics apply")`);
        await consumer_.connect();
        // A new group starts at the beginning: an inbound message is never skipped.
        await consumer_.subscribe({ topics: [inboundTopic], fromBeginning: true });
        // Batches may start before run() resolves; they must see a running runtime.
        state = 'running';
        await consumer_.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: config.partitionConcurrency,
          eachBatch,
        });
      } catch (error) {
        // Leave nothing connected behind: a half-started runtime would keep the process alive.
        state = 'stopped';
        await consumer_.disconnect().catch(() => undefined);
        await admin_.disconnect().catch(() => undefined);
        await producers.closeAll();
        throw error;
      }
      logger.info({ topic: inboundTopic, group: config.consumerGroup, partitionConcurrency: config.partitionConcurrency }, 'processor runtime started');
    },

    async stop() {
      if (state === 'stopped' || state === 'stopping' || state === 'new') {
        state = 'stopped';
        return;
      }
      state = 'stopping';
      for (const timer of resumeTimers.values()) clearTimeout(timer);
      resumeTimers.clear();
      counters.partitionsPaused = 0;
      pausedFor.clear();
      assigned = [];
      // disconnect() stops fetching and waits for the in-flight batches, which
      // commit what they processed, before leaving the group.
      await consumer?.disconnect();
      await producers?.closeAll();
      await admin?.disconnect();
      state = 'stopped';
      logger.info({ counters }, 'processor runtime stopped');
    },
  };
}

const OUTPUT_TOPICS = ['chat.outbound', 'chat.analytics', 'chat.workflows', 'chat.inbound.dlq'] as const;

async function missingTopics(admin: Admin, topics: string[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  return topics.filter((t) => !existing.has(t));
}

function groupByTopic(records: OutgoingRecord[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages['messages']>();
  for (const { topic, key, value, headers } of records) {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push({ key, value, headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

// kafkajs reports a rebalance from heartbeat(); it must reach the runner, which
// rejoins the group. The records not yet committed go to the partition's next owner.
function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
}
