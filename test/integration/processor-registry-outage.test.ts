// With the schema registry down, events the runtime cannot decode yet (their
// writer schema id is not cached) wait: nothing in the DLQ, no offset moves. When
// the registry is back, each is processed exactly once. The registry is a private
// instance, so stopping it does not disturb other tests.
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createCodec, frame, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import { subjectFor, topicName } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { projectPath } from '../../src/paths.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../../src/runtime/processor-runtime.js';
import { RegistryAdmin } from '../../src/schemas/registry.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { startPrivateRegistry, type PrivateRegistry } from '../support/private-registry.js';
import {
  chatMessage,
  committedOffsets,
  echoProcessors,
  prepareNamespace,
  produceInbound,
  sendChatMessages,
  sleep,
  TopicReader,
  uncommitted,
  waitUntil,
} from '../support/pipeline.js';

describe('processor runtime with the schema registry down', () => {
  let registry: PrivateRegistry;
  let config: Config;
  let codec: EventCodec;
  let runtime: ProcessorRuntime;

  beforeAll(async () => {
    registry = await startPrivateRegistry();
    config = isolatedConfig(uniquePrefix('outage'), { SCHEMA_REGISTRY_URL: registry.url, X7_RETRY_INITIAL_MS: '200', X7_RETRY_MAX_MS: '1500' });
    await prepareNamespace(config);
    codec = createCodec(config);
    runtime = createProcessorRuntime({
      config,
      logger: createLogger('test-outage', 'error'),
      processors: echoProcessors(),
    });
    await runtime.start();
  }, 180_000);

  afterAll(async () => {
    await runtime?.stop();
    await registry?.dispose();
  });

  it('pauses instead of dead-lettering, moves no offset, and processes every pending event exactly once after the restart', async () => {
    const outbound = await TopicReader.open(config, 'chat.outbound');
    const dlq = await TopicReader.open(config, 'chat.inbound.dlq');
    try {
      // Warm up: the runtime caches v1 and the outbound schema.
      const warmup = chatMessage();
      await sendChatMessages(config, codec, [warmup]);
      await outbound.waitFor(1, { settleMs: 0 });
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'the warm-up committed');
      const before = await committedOffsets(config);

      // A second, compatible version of ChatMessage (one more optional field): its id
      // is new to the runtime, so decoding it needs the registry.
      const schema = JSON.parse(readFileSync(projectPath('schemas/ChatMessage.avsc'), 'utf8'));
      schema.fields.push({ name: 'tenantId', type: ['null', 'string'], default: null });
      const v2Id = await new RegistryAdmin(registry.url).register(subjectFor(topicName(config, 'chat.inbound')), JSON.stringify(schema));
      const v2 = avro.Type.forSchema(schema);

      await registry.stop();
      const pending = Array.from({ length: 8 }, (_, i) => chatMessage({ conversationId: `outage-${i}`, text: `during the outage ${i}` }));
      await produceInbound(config, pending.map((m) => ({
        key: m.conversationId,
        value: frame(v2Id, v2.toBuffer({ ...m, sentAt: m.sentAt.getTime(), tenantId: 't-1' })),
      })));
      // Several retry rounds while it is down.
      await sleep(6000);
      expect(dlq.records).toHaveLength(0);
      expect(outbound.records).toHaveLength(1);
      expect(await committedOffsets(config)).toEqual(before);
      expect((await runtime.counts()).dependencyFailures).toBeGreaterThan(0);
      expect((await runtime.counts()).partitionsPaused).toBeGreaterThan(0);
      const failuresWhileDown = (await runtime.counts()).dependencyFailures;

      await registry.restart();
      const received = await outbound.waitFor(1 + pending.length, { timeoutMs: 60_000, settleMs: 3000 });
      const values = await Promise.all(received.map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
      for (const m of [warmup, ...pending]) expect(values.filter((v) => v.causationId === m.eventId), m.conversationId).toHaveLength(1);
      expect(values).toHaveLength(1 + pending.length);
      expect(dlq.records).toHaveLength(0);
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'everything committed');
      expect((await runtime.counts()).recordsRejected).toEqual({});
      console.info(`registry outage: ${failuresWhileDown} paused retries while down; ${pending.length} pending events processed once after the restart`);
    } finally {
      await Promise.all([outbound.close(), dlq.close()]);
    }
  });
});
