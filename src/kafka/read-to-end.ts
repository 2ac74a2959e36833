// Reads a topic from its beginning up to the end it had when reading started, then
// stops: what `x7 dlq inspect` (and a replay) needs, as opposed to following a topic.
//
// The end is the last stable offset (kafkajs lists offsets read-committed) and the
// consumer reads committed only. Transaction markers take offsets but are never
// handed to eachMessage, so progress is taken from kafkajs's END_BATCH_PROCESS
// events, which also report batches made only of markers or aborted records.
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { assertTopicExists } from './topics.js';

export interface ReadToEndOptions {
  /** Called for each record in order within its partition. */
  onMessage: (partition: number, message: KafkaMessage) => void | Promise<void>;
  /** Prefix of the throwaway consumer group (X7_TOPIC_PREFIX keeps tests apart). */
  groupPrefix: string;
  /** Gives up when no progress is made for this long (a stuck broker). */
  stallTimeoutMs?: number;
}

export interface ReadToEndResult {
  /** Partition → end offset that was read up to. */
  ends: Map<number, bigint>;
  records: number;
}

export async function readToEnd(kafka: Kafka, topic: string, options: ReadToEndOptions): Promise<ReadToEndResult> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: { partition: number; high: string; low: string }[];
  try {
    await assertTopicExists(admin, topic);
    offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const pending = new Set(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => o.partition));
  let records = 0;
  if (pending.size === 0) return { ends, records };

  // No offsets are committed, so the group is gone once this consumer leaves.
  const consumer = kafka.consumer({ groupId: `${options.groupPrefix}x7-read-${randomUUID()}`, readUncommitted: false });
  let finish: (error?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  const stallMs = options.stallTimeoutMs ?? 30_000;
  let stall = setTimeout(() => finish(new Error(`no progress reading ${topic} for ${stallMs} ms`)), stallMs);
  const reached = (partition: number, nextOffset: bigint) => {
    clearTimeout(stall);
    stall = setTimeout(() => finish(new Error(`no progress reading ${topic} for ${stallMs} ms`)), stallMs);
    if (nextOffset >= ends.get(partition)!) {
      pending.delete(partition);
      consumer.pause([{ topic, partitions: [partition] }]);
      if (pending.size === 0) finish();
    }
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic) reached(payload.partition, BigInt(payload.lastOffset) + 1n);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (!pending.has(partition) || BigInt(message.offset) >= ends.get(partition)!) return;
        records += 1;
        await options.onMessage(partition, message);
      },
    });
    await finished;
  } finally {
    clearTimeout(stall);
    await consumer.disconnect();
  }
  return { ends, records };
}
