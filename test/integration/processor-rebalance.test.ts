// Exactly once and in order while partitions move between two members of the
// group: one joins mid-stream, the other leaves mid-stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../../src/runtime/processor-runtime.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import {
  chatMessage,
  echoProcessors,
  prepareNamespace,
  sendChatMessages,
  sleep,
  TopicReader,
  uncommitted,
  waitUntil,
} from '../support/pipeline.js';

const CONVERSATIONS = 30;
const ROUNDS = 20;

describe('processor runtime across rebalances', () => {
  let config: Config;
  const runtimes: ProcessorRuntime[] = [];
  const newRuntime = (name: string) => {
    const runtime = createProcessorRuntime({
      config,
      logger: createLogger(name, 'error'),
      processors: echoProcessors(),
      maxRecordsPerTransaction: 5,
    });
    runtimes.push(runtime);
    return runtime;
  };

  beforeAll(async () => {
    config = isolatedConfig(uniquePrefix('rebalance'), { X7_PARTITION_CONCURRENCY: '4' });
    await prepareNamespace(config);
  });

  afterAll(async () => {
    for (const r of runtimes) await r.stop();
  });

  it('produces exactly one output per input, in order per conversation, while a member joins and another leaves', async () => {
    const codec = createCodec(config);
    const conversations = Array.from({ length: CONVERSATIONS }, (_, i) => `rb-${i}-${crypto.randomUUID().slice(0, 6)}`);
    const first = newRuntime('member-a');
    await first.start();
    const outbound = await TopicReader.open(config, 'chat.outbound');
    try {
      let second: ProcessorRuntime | undefined;
      for (let round = 0; round < ROUNDS; round++) {
        await sendChatMessages(config, codec, conversations.map((id) => chatMessage({ conversationId: id, text: `seq ${round}` })));
        if (round === 5) {
          second = newRuntime('member-b');
          await second.start();
        }
        if (round === 12) await first.stop();
        await sleep(150);
      }
      const total = CONVERSATIONS * ROUNDS;
      const received = await outbound.waitFor(total, { timeoutMs: 90_000, settleMs: 3000 });
      const values = await Promise.all(received.map(async (r) => ({ offset: BigInt(r.offset), value: (await codec.decode('chat.outbound', r.value)).value })));
      expect(values).toHaveLength(total);
      expect(new Set(values.map((v) => v.value.causationId)).size).toBe(total);
      for (const id of conversations) {
        const own = values.filter((v) => v.value.conversationId === id).sort((a, b) => (a.offset < b.offset ? -1 : 1));
        expect(own.map((v) => (v.value.body.type === 'StatusUpdate' ? v.value.body.detail : null))).toEqual(Array.from({ length: ROUNDS }, (_, s) => `seq ${s}`));
      }
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'offsets committed to the end');
      // Both members did part of the work.
      expect((await first.counts()).recordsCommitted).toBeGreaterThan(0);
      expect((await second!.counts()).recordsCommitted).toBeGreaterThan(0);
      expect((await first.counts()).recordsCommitted + (await second!.counts()).recordsCommitted).toBe(total);
    } finally {
      await outbound.close();
    }
  });
});
