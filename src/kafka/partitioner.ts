// The Java client's default partitioner (murmur2 of the key, or round robin when there
// is none), so a conversationId lands on the same partition whichever client wrote it.
//
// Why not kafkajs's own DefaultPartitioner, which computes the same partitions: its
// murmur2 multiplies BigInts without cutting them back to 32 bits, so the hash grows
// by 32 bits per 4 key bytes and the time is quadratic in the key's length (a 400 KB
// key took 26 s, a 1 MB one minutes). The processor copies a rejected record's key to
// the DLQ as it came, so such a key blocked its event loop past the consumer group's
// session and the record was dead-lettered twice. This one is linear: Java's int
// arithmetic, with Math.imul for its wrapping multiplication.
import { randomBytes } from 'node:crypto';
import type { ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's `Utils.murmur2`: the 32-bit signed hash of `data`, as the Java client computes it. */
export function murmur2(data: Buffer): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    case 3:
      h ^= data[tail + 2]! << 16;
    // falls through
    case 2:
      h ^= data[tail + 1]! << 8;
    // falls through
    case 1:
      h ^= data[tail]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: not the absolute value, the sign bit cleared. */
const toPositive = (x: number) => x & 0x7fffffff;

/** The partition of `key` among `partitions` partitions, as the Java client picks it. */
export function partitionOfKey(key: Buffer | string, partitions: number): number {
  return toPositive(murmur2(Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8'))) % partitions;
}

/**
 * kafkajs `createPartitioner` for the Java client's default partitioning: a given
 * partition is kept; a key picks one by murmur2; without a key, round robin over the
 * partitions that have a leader, from a random start per topic.
 */
export const createJavaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return partitionOfKey(message.key, partitionMetadata.length);
    const next = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[toPositive(next) % available.length]!.partitionId;
    return toPositive(next) % partitionMetadata.length;
  };
};
