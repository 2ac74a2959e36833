// The transactional sink: a run of processed records becomes visible exactly once.
//
// Every partition has its own transactional producer (partition-producers.ts). The
// commit participants (the conversation store) flush first, so state is durable
// before the offsets move; then the run's outputs (or DLQ records) and the input
// offset after its last record are sent in one Kafka transaction, so they become
// visible together or not at all. A failure anywhere is a CommitFailed carrying the
// first offset of the run: the runtime redoes the records from there.
import type { TopicMessages } from 'kafkajs';
import type { Config } from '../config.js';
import type { ProcessorMetrics } from '../observability/metrics.js';
import { describeError } from '../pipeline/errors.js';
import type { CommitParticipant } from '../pipeline/processor.js';
import type { RejectionCode } from '../pipeline/rejection.js';
import type { PartitionProducers } from './partition-producers.js';
import type { OutgoingRecord } from './record-handler.js';

/** One processed record of a run. */
export interface Processed {
  offset: string;
  outputs: OutgoingRecord[];
  rejected: RejectionCode | null;
  chatType: string;
  /** The processor's outcome, or REJECTED. */
  outcome: string;
}

/** A run that could not be committed; the records from `offset` on are redone. */
export class CommitFailed extends Error {
  override name = 'CommitFailed';
  constructor(readonly offset: string, readonly failure: unknown) {
    super(describeError(failure), { cause: failure });
  }
}

export interface TransactionalSinkOptions {
  inboundTopic: string;
  config: Pick<Config, 'consumerGroup' | 'topicPrefix'>;
  producers: () => PartitionProducers;
  participants: readonly CommitParticipant[];
  metrics: ProcessorMetrics;
}

export interface TransactionalSink {
  /** Commits the run; throws CommitFailed. `committed` is called with the last offset once it is. */
  commit(partition: number, run: readonly Processed[], committed: (lastOffset: string) => void): Promise<void>;
  /** Forgets what the participants staged for the partition (its records will be redone). */
  rollback(partition: number): void;
}

export function createTransactionalSink(options: TransactionalSinkOptions): TransactionalSink {
  const { inboundTopic, config, participants, metrics } = options;
  const logicalTopic = (physical: string) => (config.topicPrefix && physical.startsWith(config.topicPrefix) ? physical.slice(config.topicPrefix.length) : physical);
  const rollback = (partition: number) => {
    for (const participant of participants) participant.rollback(partition);
  };

  const count = (run: readonly Processed[]) => {
    metrics.transactions.inc({ result: 'committed' });
    for (const p of run) {
      metrics.events.inc({ chat_type: p.chatType, outcome: p.outcome });
      if (p.rejected) {
        metrics.dlqRecords.inc({ code: p.rejected });
      } else {
        for (const output of p.outputs) metrics.outputs.inc({ topic: logicalTopic(output.topic) });
      }
    }
  };

  return {
    rollback,
    async commit(partition, run, committed) {
      if (run.length === 0) return;
      const first = run[0]!.offset;
      const last = run[run.length - 1]!.offset;
      const producers = options.producers();
      const { producer } = await producers.get(inboundTopic, partition).catch((error: unknown) => {
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
        metrics.transactions.inc({ result: 'aborted' });
        // The producer may be fenced or mid-way through a broken transaction; the
        // retry starts from a fresh one (which fences this one, if still alive).
        await producers.release(inboundTopic, partition);
        throw new CommitFailed(first, error);
      }
      committed(last);
      count(run);
    },
  };
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
