// A producer that takes over a partition's transactional id (a zombie's successor,
// or a stray process) fences the runtime's producer: its transaction fails with a
// Kafka error. The runtime must treat that like an outage: pause, redo from the
// first uncommitted record with a new producer, and still produce everything once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../src/kafka/client.js';
import { topicName } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { transactionalIdFor } from '../../src/runtime/partition-producers.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../../src/runtime/processor-runtime.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import {
  chatMessage,
  echoProcessors,
  prepareNamespace,
  sendChatMessages,
  TopicReader,
  uncommitted,
  waitUntil,
} from '../support/pipeline.js';

describe('processor runtime when its transactional producer is fenced', () => {
  let config: Config;
  let runtime: ProcessorRuntime;

  beforeAll(async () => {
    config = isolatedConfig(uniquePrefix('fencing'), { X7_RETRY_INITIAL_MS: '100', X7_RETRY_MAX_MS: '500' });
    await prepareNamespace(config);
    runtime = createProcessorRuntime({ config, logger: createLogger('test-fencing', 'error'), processors: echoProcessors() });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  it('recovers with a new producer and produces each output exactly once, in order', async () => {
    const codec = createCodec(config);
    const conversation = `fenced-${crypto.randomUUID().slice(0, 8)}`;
    const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const partition = JAVA_COMPATIBLE_PARTITIONER()({ topic: 't', partitionMetadata, message: { key: conversation, value: null } });
    const outbound = await TopicReader.open(config, 'chat.outbound');
    const usurper = createKafka(config, 'test-usurper').producer({
      createPartitioner: JAVA_COMPATIBLE_PARTITIONER,
      transactionalId: transactionalIdFor(config.consumerGroup, topicName(config, 'chat.inbound'), partition),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    try {
      const first = chatMessage({ conversationId: conversation, text: 'seq 0' });
      await sendChatMessages(config, codec, [first]);
      await outbound.waitFor(1, { settleMs: 0 });

      // Take the partition's transactional id: the runtime's producer is now fenced.
      await usurper.connect();
      const stolen = await usurper.transaction();
      await stolen.abort();

      const rest = Array.from({ length: 20 }, (_, i) => chatMessage({ conversationId: conversation, text: `seq ${i + 1}` }));
      await sendChatMessages(config, codec, rest);
      const received = await outbound.waitFor(21, { timeoutMs: 45_000, settleMs: 2000 });
      const values = await Promise.all(received.map(async (r) => ({ offset: BigInt(r.offset), value: (await codec.decode('chat.outbound', r.value)).value })));
      expect(values).toHaveLength(21);
      values.sort((a, b) => (a.offset < b.offset ? -1 : 1));
      expect(values.map((v) => (v.value.body.type === 'StatusUpdate' ? v.value.body.detail : null))).toEqual(Array.from({ length: 21 }, (_, i) => `seq ${i}`));
      expect((await runtime.counts()).transactionsAborted).toBeGreaterThan(0);
      expect((await runtime.counts()).dependencyFailures).toBeGreaterThan(0);
      expect((await runtime.counts()).recordsRejected).toEqual({});
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'offsets committed to the end');
    } finally {
      await usurper.disconnect();
      await outbound.close();
    }
  });
});
