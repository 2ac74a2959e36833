// The processor runtime: a consumer group on chat.inbound that runs each record
// through the pipeline and produces the results exactly once. This file is the
// lifecycle and the batch loop; the two jobs it hands off:
//  - transactional-sink.ts: a run of records' state, outputs and input offset,
//    committed together (exactly once);
//  - partition-gate.ts: pause a partition after a failure, back off, resume.
//
// Several records share a transaction when a fetch brings several (throughput), up
// to a cap (so a failure redoes little and the transaction stays well inside its
// timeout). An unavailable dependency is not bad data: what succeeded before it is
// committed, and the partition waits at the failing record. Other partitions go on.
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { createCodec, type EventCodec } from '../codec/index.js';
import type { Config } from '../config.js';
import { createKafka, GROUP_TIMING } from '../kafka/client.js';
import { loadTopics, maxRecordBytes, topicName } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { countsOf, createMetricsRegistry, createProcessorMetrics, type ProcessorMetrics, type RuntimeCounts } from '../observability/metrics.js';
import { ProcessorRegistry, systemClock, type ChatProcessor, type Clock, type CommitParticipant } from '../pipeline/processor.js';
import { createValidator, isWellFormedId, type AsyncRule } from '../pipeline/validation.js';
import { createPartitionProducers, type PartitionProducers } from './partition-producers.js';
import { PartitionGate } from './partition-gate.js';
import { createRecordHandler, type RecordHandler } from './record-handler.js';
import { CommitFailed, createTransactionalSink, type Processed } from './transactional-sink.js';

export const DEFAULT_MAX_RECORDS_PER_TRANSACTION = 200;
export const DEFAULT_MAX_TRANSACTION_MS = 500;
/**
 * Most output bytes committed in one transaction. kafkajs sends a run's records for one
 * partition as one record batch, and the broker refuses a batch over the topic's
 * max.message.bytes (1 MiB): a run is committed well before it gets there.
 */
export const DEFAULT_MAX_TRANSACTION_BYTES = 512 * 1024;

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
  /** What it has counted so far, read from its metrics. */
  counts(): Promise<RuntimeCounts>;
  readonly metrics: ProcessorMetrics;
  /**
   * Why the runtime is not ready (empty when it is): not running, no partition of
   * chat.inbound assigned, or partitions paused after a failure (with the reason).
   */
  notReady(): string[];
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
  const metrics = options.metrics ?? createProcessorMetrics(createMetricsRegistry({ defaultMetrics: false }));
  let consumer: Consumer | undefined;
  let admin: Admin | undefined;
  let codec: EventCodec | undefined;
  let producers: PartitionProducers | undefined;
  let handle: RecordHandler | undefined;
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  // Readiness: the partitions of chat.inbound this member owns.
  let assigned: number[] = [];
  const gate = new PartitionGate({
    topic: inboundTopic, config, consumer: () => consumer!, running: () => state === 'running', logger, metrics,
  });
  const sink = createTransactionalSink({
    inboundTopic, config, producers: () => producers!, participants: options.participants ?? [], metrics,
  });

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
    sink.rollback(partition);
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

      // The batch's conversations in one read, not one per record (keys are conversationIds).
      // A key no conversationId could be (a NUL in it, say) names no stored conversation,
      // and PostgreSQL would refuse the whole read, for ever: its record is judged alone.
      const keys = batch.messages.flatMap((m) => { const key = m.key?.toString(); return key && isWellFormedId(key) ? [key] : []; });
      for (const participant of options.participants ?? []) await participant.prefetch?.(partition, keys);

      let run: Processed[] = [];
      let runBytes = 0;
      let runStartedAt = Date.now();
      const flush = async () => {
        await sink.commit(partition, run, (last) => {
          resolveOffset(last);
          gate.succeeded(partition);
        });
        run = [];
        runBytes = 0;
        runStartedAt = Date.now();
      };
      for (const message of batch.messages) {
        // Stopping: commit what is done; the rest is fetched again by the next owner.
        if (!isRunning() || isStale()) break;
        let processed: Processed;
        // A record may wait on a slow dependency longer than the session (a local
        // model answers in 4-10 s, the session is 6 s): heartbeat meanwhile, or the
        // broker drops this member mid-record. A failed beat is left to the
        // heartbeat() after the record, which reports a rebalance to the runner.
        const beating = setInterval(() => void heartbeat().catch(() => undefined), GROUP_TIMING.heartbeatInterval);
        try {
          processed = await processRecord(partition, message);
        } catch (error) {
          await flush();
          nextUncommitted = message.offset;
          throw error;
        } finally {
          clearInterval(beating);
        }
        run.push(processed);
        for (const output of processed.outputs) runBytes += output.value?.length ?? 0;
        if (run.length >= maxPerTransaction || runBytes >= DEFAULT_MAX_TRANSACTION_BYTES || Date.now() - runStartedAt >= maxTransactionMs) {
          await flush();
          nextUncommitted = (BigInt(processed.offset) + 1n).toString();
        }
        // Throttled by kafkajs to its heartbeat interval; keeps the membership of a
        // member whose processors are slow, and reports a rebalance early.
        await heartbeat();
      }
      await flush();
    } catch (error) {
      if (error instanceof CommitFailed) gate.pauseAndRetry(partition, error.offset, error.failure);
      else if (isRebalancing(error)) throw error;
      else gate.pauseAndRetry(partition, nextUncommitted, error);
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
  metrics.setHooks({ lag, pausedPartitions: () => gate.pausedCount });

  return {
    metrics,
    counts: () => countsOf(metrics),

    notReady() {
      if (state !== 'running') return [`processor runtime ${state}`];
      const problems: string[] = [];
      if (assigned.length === 0) problems.push(`no partition of ${inboundTopic} assigned`);
      problems.push(...gate.reasons());
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
        maxRecordBytes: maxRecordBytes(loadTopics()),
      });
      const admin_ = (admin = kafka.admin());
      const consumer_ = (consumer = kafka.consumer({
        groupId: config.consumerGroup,
        // Inputs may come from transactional producers too; never act on aborted data.
        readUncommitted: false,
        maxWaitTimeInMs: 250,
        // A dead processor's partitions move within seconds, not kafkajs's 30-60 s.
        ...GROUP_TIMING,
      }));
      consumer_.on(consumer_.events.GROUP_JOIN, ({ payload }) => {
        logger.info({ group: config.consumerGroup, assignment: payload.memberAssignment }, 'joined the consumer group');
        assigned = [...(payload.memberAssignment[inboundTopic] ?? [])].sort((a, b) => a - b);
        gate.retain(assigned);
        for (const participant of options.participants ?? []) participant.assign(assigned);
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
      gate.clear();
      assigned = [];
      // disconnect() stops fetching and waits for the in-flight batches, which
      // commit what they processed, before leaving the group.
      await consumer?.disconnect();
      await producers?.closeAll();
      await admin?.disconnect();
      state = 'stopped';
      logger.info({ counts: await countsOf(metrics) }, 'processor runtime stopped');
    },
  };
}

const OUTPUT_TOPICS = ['chat.outbound', 'chat.analytics', 'chat.workflows', 'chat.inbound.dlq'] as const;

async function missingTopics(admin: Admin, topics: string[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  return topics.filter((t) => !existing.has(t));
}

// kafkajs reports a rebalance from heartbeat(); it must reach the runner, which
// rejoins the group. The records not yet committed go to the partition's next owner.
function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  // UNKNOWN_MEMBER_ID: the broker dropped this member (its session ran out); the runner rejoins.
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID';
}
