// Order per conversation across many partitions processed concurrently, and
// exactly one output per input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { ChatMessage, ChatType } from '../../src/events.js';
import { JAVA_COMPATIBLE_PARTITIONER } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../../src/runtime/processor-runtime.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import {
  chatMessage,
  echoProcessors,
  endOffsets,
  prepareNamespace,
  sendChatMessages,
  TopicReader,
  uncommitted,
  waitUntil,
} from '../support/pipeline.js';

const CONVERSATIONS = 40;
const PER_CONVERSATION = 25;

/** Conversation ids that cover every partition (keys hash as the Java client does). */
function spreadOverPartitions(count: number, partitions: number): string[] {
  const partitioner = JAVA_COMPATIBLE_PARTITIONER();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  const partitionOf = (key: string) => partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
  const chosen: string[] = [];
  const covered = new Set<number>();
  while (chosen.length < count) {
    const id = `conv-${crypto.randomUUID().slice(0, 8)}`;
    const partition = partitionOf(id);
    // Fill every partition first, then take any.
    if (covered.size < partitions && covered.has(partition)) continue;
    covered.add(partition);
    chosen.push(id);
  }
  return chosen;
}

describe('processor runtime ordering', () => {
  let config: Config;
  let runtime: ProcessorRuntime;

  beforeAll(async () => {
    config = isolatedConfig(uniquePrefix('order'), { X7_PARTITION_CONCURRENCY: '6' });
    await prepareNamespace(config);
    runtime = createProcessorRuntime({
      config,
      logger: createLogger('test-order', 'warn'),
      processors: echoProcessors(),
      // Small transactions, so one fetch spans several and the boundaries are exercised.
      maxRecordsPerTransaction: 7,
    });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  it(`keeps each of ${CONVERSATIONS} conversations in order over 12 partitions, one output per input`, async () => {
    const codec = createCodec(config);
    const types: ChatType[] = ['DEDICATED', 'DASHBOARD', 'GLOBAL'];
    const conversations = spreadOverPartitions(CONVERSATIONS, 12).map((id, i) => ({ id, type: types[i % 3]! }));
    // Interleaved as a real stream would be: round-robin over conversations.
    const messages: ChatMessage[] = [];
    for (let seq = 0; seq < PER_CONVERSATION; seq++) {
      for (const c of conversations) {
        messages.push(chatMessage({ conversationId: c.id, chatType: c.type, businessId: c.type === 'GLOBAL' ? null : 'b-1', text: `seq ${seq}` }));
      }
    }
    const outbound = await TopicReader.open(config, 'chat.outbound');
    try {
      const started = Date.now();
      await sendChatMessages(config, codec, messages);
      const filled = Object.values(await endOffsets(config)).filter((high) => high !== '0');
      expect(filled).toHaveLength(12);
      const received = await outbound.waitFor(messages.length, { timeoutMs: 90_000, settleMs: 2000 });
      // The reader's settle wait is not processing time.
      const elapsedMs = Date.now() - started - 2000;

      expect(received).toHaveLength(messages.length);
      const values = await Promise.all(received.map(async (r) => ({ partition: r.partition, offset: BigInt(r.offset), value: (await codec.decode('chat.outbound', r.value)).value })));
      // Exactly one output per input.
      expect(new Set(values.map((v) => v.value.causationId)).size).toBe(messages.length);
      // Per conversation, in output-partition offset order, the sequence is 0..24.
      for (const c of conversations) {
        const own = values.filter((v) => v.value.conversationId === c.id).sort((a, b) => (a.offset < b.offset ? -1 : 1));
        expect(new Set(own.map((v) => v.partition)).size).toBe(1);
        expect(own.map((v) => (v.value.body.type === 'StatusUpdate' ? v.value.body.detail : null))).toEqual(
          Array.from({ length: PER_CONVERSATION }, (_, seq) => `seq ${seq}`),
        );
      }
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'offsets committed to the end');
      expect((await runtime.counts()).recordsCommitted).toBe(messages.length);
      console.info(`ordering: ${messages.length} events produced, processed and read back in about ${elapsedMs} ms (${Math.round(messages.length / (elapsedMs / 1000))}/s), ${(await runtime.counts()).transactionsCommitted} transactions`);
    } finally {
      await outbound.close();
    }
  });
});
