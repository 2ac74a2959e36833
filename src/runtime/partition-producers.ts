// One transactional producer per input partition the processor owns.
//
// A kafkajs transactional producer runs one transaction at a time, and partitions
// are processed concurrently, so each partition gets its own. Its transactionalId
// is derived from the group, topic and partition: whoever owns the partition next
// (another member after a rebalance, or this one after a restart) initialises the
// same id, which aborts the old owner's open transaction and fences it for good.
import type { Kafka, Producer } from 'kafkajs';
import { JAVA_COMPATIBLE_PARTITIONER } from '../kafka/client.js';
import type { Logger } from '../log.js';

export interface PartitionProducers {
  /** The partition's producer, created and initialised (fencing older owners) on first use. */
  get(topic: string, partition: number): Promise<{ producer: Producer; fresh: boolean }>;
  /** Disconnects and forgets one partition's producer (revoked, or left unusable by an error). */
  release(topic: string, partition: number): Promise<void>;
  /** Releases every producer whose partition is not in `assignment` (topic → partitions). */
  retainOnly(assignment: Record<string, number[]>): Promise<void>;
  closeAll(): Promise<void>;
}

export function transactionalIdFor(group: string, topic: string, partition: number): string {
  return `${group}-${topic}-${partition}`;
}

export function createPartitionProducers(kafka: Kafka, group: string, logger: Logger): PartitionProducers {
  const producers = new Map<string, Promise<Producer>>();
  const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  const open = async (topic: string, partition: number): Promise<Producer> => {
    const transactionalId = transactionalIdFor(group, topic, partition);
    const producer = kafka.producer({
      transactionalId,
      createPartitioner: JAVA_COMPATIBLE_PARTITIONER,
      idempotent: true,
      maxInFlightRequests: 1,
      // kafkajs would retry an idempotent send forever; every send here is inside a
      // transaction that is aborted and redone on failure, so a bounded retry is
      // safe and lets a broker outage surface as a pause of the partition.
      retry: { retries: 5 },
    });
    await producer.connect();
    try {
      // InitProducerId happens on the first transaction; doing it now fences any
      // older owner before this one reads the committed offset.
      const transaction = await producer.transaction();
      await transaction.abort();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    logger.debug({ topic, partition, transactionalId }, 'transactional producer ready');
    return producer;
  };

  const release = async (key: string) => {
    const pending = producers.get(key);
    if (!pending) return;
    producers.delete(key);
    try {
      await (await pending).disconnect();
    } catch {
      // It never connected, or the connection is already gone: nothing to close.
    }
  };

  return {
    async get(topic, partition) {
      const key = keyOf(topic, partition);
      const existing = producers.get(key);
      if (existing) return { producer: await existing, fresh: false };
      const created = open(topic, partition);
      producers.set(key, created);
      try {
        return { producer: await created, fresh: true };
      } catch (error) {
        producers.delete(key);
        throw error;
      }
    },
    release: (topic, partition) => release(keyOf(topic, partition)),
    async retainOnly(assignment) {
      const keep = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))));
      await Promise.all([...producers.keys()].filter((key) => !keep.has(key)).map(release));
    },
    async closeAll() {
      await Promise.all([...producers.keys()].map(release));
    },
  };
}
