// The Java-compatible partitioner: the partitions the Java client (and kafkajs's own
// DefaultPartitioner) picks, in time linear in the key's length.
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createJavaCompatiblePartitioner, murmur2, partitionOfKey } from '../../src/kafka/partitioner.js';
import { seededRandom } from '../support/random.js';

const metadata = (partitions: number, leaderless: number[] = []) =>
  Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe('Java-compatible partitioner', () => {
  it("hashes as Kafka's Utils.murmur2 (the Java client's own test vectors)", () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([0x61, 0x62, 0x63]))).toBe(479470107);
  });

  it("picks the partition kafkajs's DefaultPartitioner picks, for keys of every length up to 300 bytes", () => {
    const theirs = kafkajs.Partitioners.DefaultPartitioner();
    const ours = createJavaCompatiblePartitioner();
    const random = seededRandom(7);
    for (let length = 0; length <= 300; length++) {
      const key = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      for (const partitions of [1, 3, 12, 7]) {
        const args = { topic: 't', partitionMetadata: metadata(partitions), message: { key, value: null } };
        expect(ours(args), `length ${length}, ${partitions} partitions`).toBe(theirs(args));
      }
    }
    expect(partitionOfKey('conv-1', 12)).toBe(theirs({ topic: 't', partitionMetadata: metadata(12), message: { key: 'conv-1', value: null } }));
  });

  it("hashes a 1 MiB key (kafkajs's own would take minutes, past the test's timeout)", () => {
    // kafkajs's BigInt murmur2 grows its hash by 32 bits per 4 bytes (quadratic time);
    // ours stays a 32-bit integer whatever the length.
    const key = Buffer.alloc(1024 * 1024, 0xf0);
    const h = murmur2(key);
    expect(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31).toBe(true);
    expect(partitionOfKey(key, 3)).toBe((h & 0x7fffffff) % 3);
  });

  it('keeps a given partition, and goes round robin over partitions with a leader when there is no key', () => {
    const partitioner = createJavaCompatiblePartitioner();
    expect(partitioner({ topic: 't', partitionMetadata: metadata(12), message: { key: 'k', value: null, partition: 5 } })).toBe(5);
    const picked = Array.from({ length: 20 }, () => partitioner({ topic: 't', partitionMetadata: metadata(4, [2]), message: { value: null } }));
    expect(new Set(picked)).toEqual(new Set([0, 1, 3]));
    for (let i = 1; i < picked.length; i++) expect(picked[i]).not.toBe(picked[i - 1]);
  });
});
