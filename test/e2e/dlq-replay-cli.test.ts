// Dead-lettering as a customer and an operator see it, against `x7 processor` running
// as a process on the real stack: a rejected message that decoded tells its
// conversation why (an ErrorNotice, committed with its DLQ copy), one that did not
// decode tells no one; `x7 dlq replay` sends records back as they arrived, a replayed
// event the processor already applied is answered from its stored outputs (nothing
// twice), and a record that fails again is not replayed again unless asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { OutboundEvent } from '../../src/events.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../src/kafka/client.js';
import { topicName } from '../../src/kafka/topics.js';
import { buildDlqRecord, DLQ_HEADERS } from '../../src/pipeline/dlq.js';
import { runX7, startX7, stopProcess } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { chatMessage, endOffsets, prepareNamespace, produceInbound, sendChatMessages, TopicReader, uncommitted, waitUntil, type Received } from '../support/pipeline.js';

describe('dead-lettered messages: the notice and x7 dlq replay', () => {
  let config: Config;
  let env: Record<string, string>;
  let codec: EventCodec;
  let db: TestDatabase;
  let processor: ReturnType<typeof startX7>;
  let readers: Record<'outbound' | 'dlq' | 'inbound', TopicReader>;
  let dlqTopic: string;

  const good = chatMessage({ chatType: 'GLOBAL', businessId: null, text: 'vegan ramen near me', location: { lat: 35.68, lon: 139.76 } });
  const tooLong = chatMessage({ chatType: 'GLOBAL', businessId: null, text: `my card is 4111 ${'x'.repeat(4100)}` });
  const rawKey = `c-raw-${crypto.randomUUID().slice(0, 8)}`;

  const outboundOf = async (conversationId: string) =>
    Promise.all(readers.outbound.records.filter((r) => r.key?.toString() === conversationId).map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
  const dlqOf = (key: string) => readers.dlq.records.filter((r) => r.key?.toString() === key);
  const replay = async (...args: string[]) => {
    const result = await runX7(['dlq', 'replay', ...args], env);
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const replayJson = async (...args: string[]) => JSON.parse((await replay(...args, '--json')).stdout) as {
    replayed: number; skipped: Record<string, number>; byCode: Record<string, number>; records?: { partition: number; offset: string; key: string; code: string }[];
  };
  const allCommitted = () => waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 30_000, 'offsets committed to the end');

  beforeAll(async () => {
    const prefix = uniquePrefix('dlq-replay');
    db = await createTestDatabase({ seed: true, label: 'dlq_replay' });
    env = isolatedEnv(prefix, { DATABASE_URL: db.url });
    config = isolatedConfig(prefix, { DATABASE_URL: db.url });
    await prepareNamespace(config);
    codec = createCodec(config);
    dlqTopic = topicName(config, 'chat.inbound.dlq');
    processor = startX7(['processor'], env);
    const [outbound, dlq, inbound] = await Promise.all(['chat.outbound', 'chat.inbound.dlq', 'chat.inbound'].map((t) => TopicReader.open(config, t as 'chat.outbound')));
    readers = { outbound: outbound!, dlq: dlq!, inbound: inbound! };
  }, 60_000);

  afterAll(async () => {
    if (processor && processor.exitCode === null) {
      const code = await stopProcess(processor);
      if (code !== 0) console.error(processor.output().slice(-4000));
    }
    await Promise.all(Object.values(readers ?? {}).map((r) => r.close()));
    await db?.drop();
  });

  it('tells the conversation why its message was rejected, in its terms, and tells no one about bytes that do not decode', async () => {
    await sendChatMessages(config, codec, [good, tooLong], { 'x-app': Buffer.from('web') });
    await produceInbound(config, [{ key: rawKey, value: Buffer.from('not avro') }]);
    await allCommitted();
    // Read committed: what is visible was committed, the DLQ copy and the notice together.
    await waitUntil(async () => dlqOf(tooLong.conversationId).length === 1 && dlqOf(rawKey).length === 1 && (await outboundOf(tooLong.conversationId)).length > 0, 30_000, 'DLQ copies and the notice');
    await readers.outbound.waitFor(0, { settleMs: 1500 });

    expect(String(dlqOf(tooLong.conversationId)[0]!.headers[DLQ_HEADERS.code])).toBe('INVALID_EVENT');
    const notices = await outboundOf(tooLong.conversationId);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      conversationId: tooLong.conversationId, userId: tooLong.userId, chatType: 'GLOBAL', causationId: tooLong.eventId,
      body: { type: 'ErrorNotice', code: 'INVALID_EVENT', field: 'text', message: 'Your message could not be processed: the text is longer than 4000 bytes.' },
    });
    expect(JSON.stringify(notices[0])).not.toContain('4111');
    expect(String(dlqOf(rawKey)[0]!.headers[DLQ_HEADERS.code])).toBe('WIRE_FORMAT');
    expect(await outboundOf(rawKey)).toEqual([]);
    // The valid one was answered, and its answer has no notice.
    expect((await outboundOf(good.conversationId)).map((e) => e.body.type)).toContain('Reply');
    expect((await outboundOf(good.conversationId)).map((e) => e.body.type)).not.toContain('ErrorNotice');
  });

  it('lists what it would replay, filtered, and sends nothing on a dry run', async () => {
    // The answered event, as if an earlier processor had dead-lettered it: its exact bytes and headers.
    const inboundTopic = topicName(config, 'chat.inbound');
    const copy = buildDlqRecord(
      { topic: inboundTopic, partition: 0, offset: '0', key: Buffer.from(good.conversationId), value: await codec.encode('chat.inbound', good), headers: { 'x-app': Buffer.from('web'), 'x7.tenant': Buffer.from('t1') } },
      { code: 'PROCESSING_ERROR', field: null, message: 'a bug, since fixed' },
      new Date(),
    );
    const producer = createKafka(config, 'test-dlq').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: dlqTopic, acks: -1, messages: [copy] }).finally(() => producer.disconnect());
    await waitUntil(() => dlqOf(good.conversationId).length === 1, 20_000, 'the simulated DLQ copy');

    const before = await endOffsets(config);
    const all = await replayJson('--dry-run');
    expect(all).toMatchObject({ replayed: 3, byCode: { WIRE_FORMAT: 1, INVALID_EVENT: 1, PROCESSING_ERROR: 1 }, skipped: { 'replayed-before': 0, 'foreign-source': 0 } });
    expect(all.records!.map((r) => r.key).sort()).toEqual([good.conversationId, rawKey, tooLong.conversationId].sort());
    const recent = await replayJson('--dry-run', '--code', 'processing_error', '--since', '1h');
    expect(recent.records!.map((r) => r.key)).toEqual([good.conversationId]);
    const [atGood] = dlqOf(good.conversationId);
    const ranged = await replayJson('--dry-run', '--partition', String(atGood!.partition), '--from', atGood!.offset, '--to', atGood!.offset);
    expect(ranged.records!.map((r) => `${r.partition}@${r.offset}`)).toEqual([`${atGood!.partition}@${atGood!.offset}`]);
    expect((await replayJson('--dry-run', '--until', '2000-01-01')).replayed).toBe(0);

    const text = await replay('--dry-run', '--code', 'PROCESSING_ERROR');
    expect(text.stdout).toMatch(/^DLQ RECORD +KEY +CODE +FIELD +FAILED AT +TO/m);
    expect(text.stdout).toContain(`"${good.conversationId}"  PROCESSING_ERROR`);
    expect(text.stdout).toContain('would replay 1 (PROCESSING_ERROR 1); skipped 0');
    expect(text.stderr).toContain(`reading ${dlqTopic} to its end`);
    expect(await endOffsets(config)).toEqual(before);
  });

  it('replays an event as it arrived; one already answered gets its stored answer again, nothing twice', async () => {
    const answered = await outboundOf(good.conversationId);
    const messageRows = async () => (await db.pool.query('select event_id, role, text from messages where conversation_id = $1 order by event_id', [good.conversationId])).rows;
    const rowsBefore = await messageRows();
    expect(rowsBefore.length).toBeGreaterThan(0);
    const result = await replayJson('--code', 'PROCESSING_ERROR');
    expect(result).toMatchObject({ replayed: 1, byCode: { PROCESSING_ERROR: 1 } });

    await waitUntil(() => readers.inbound.records.some((r) => r.headers['x7.replay.of'] !== undefined), 20_000, 'the replayed record on chat.inbound');
    const replayed = readers.inbound.records.find((r) => r.headers['x7.replay.of'] !== undefined)!;
    const [atGood] = dlqOf(good.conversationId);
    expect(headerText(replayed)).toEqual({ 'x-app': 'web', 'x7.tenant': 't1', 'x7.replay.of': `${dlqTopic}-${atGood!.partition}-${atGood!.offset}` });
    expect(replayed.key!.toString()).toBe(good.conversationId);
    expect((await codec.decode('chat.inbound', replayed.value)).value.eventId).toBe(good.eventId);

    await allCommitted();
    await waitUntil(async () => (await outboundOf(good.conversationId)).length === 2 * answered.length, 20_000, 'the stored outputs again');
    const again = await outboundOf(good.conversationId);
    // The same events (same ids), not a second answer.
    expect(new Set(again.map((e) => e.eventId))).toEqual(new Set(answered.map((e) => e.eventId)));
    expect(await messageRows()).toEqual(rowsBefore);
  });

  it('sends a record that fails again back to the DLQ with its history, and does not replay it again unless asked', async () => {
    const result = await replayJson('--code', 'INVALID_EVENT');
    expect(result).toMatchObject({ replayed: 1, skipped: { 'replayed-before': 0 } });
    await waitUntil(() => dlqOf(tooLong.conversationId).length === 2, 30_000, 'the second DLQ copy');
    const [first, second] = dlqOf(tooLong.conversationId);
    expect(String(second!.headers['x7.original.replay.of'])).toBe(`${dlqTopic}-${first!.partition}-${first!.offset}`);
    expect(String(second!.headers[DLQ_HEADERS.code])).toBe('INVALID_EVENT');
    expect(String(second!.headers['x-app'])).toBe('web');
    // The customer's notice is the same event again (same id), not a second one.
    await waitUntil(async () => (await outboundOf(tooLong.conversationId)).length === 2, 20_000, 'the notice again');
    expect(new Set((await outboundOf(tooLong.conversationId)).map((e: OutboundEvent) => e.eventId)).size).toBe(1);

    const next = await replayJson('--dry-run', '--code', 'INVALID_EVENT');
    expect(next).toMatchObject({ replayed: 1, skipped: { 'replayed-before': 1 } });
    expect(next.records!.map((r) => r.offset)).toEqual([first!.offset]);
    expect((await replayJson('--dry-run', '--code', 'INVALID_EVENT', '--include-replayed')).replayed).toBe(2);
    const text = await replay('--dry-run', '--code', 'INVALID_EVENT');
    expect(text.stdout).toContain('skipped 1 (1 failed again after a replay, 0 from a topic outside this namespace)');
  });

  it('refuses arguments that make no sense, with the reason and exit code 2', async () => {
    const result = await runX7(['dlq', 'replay', '--from', '3'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from and --to are offsets of one DLQ partition: give --partition too');
    const since = await runX7(['dlq', 'replay', '--since', 'yesterday'], env);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be an ISO-8601 time');
  });
});

function headerText(record: Received): Record<string, string> {
  return Object.fromEntries(Object.entries(record.headers).map(([n, v]) => [n, String(v)]));
}
