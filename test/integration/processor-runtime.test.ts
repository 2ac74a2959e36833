// The processor runtime in-process against the real broker and registry, with
// processors defined here so the assertions see exactly what each one did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec, frame, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { ChatMessage, ChatType, OutboundEvent } from '../../src/events.js';
import { subjectFor, topicName } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { DLQ_HEADERS } from '../../src/pipeline/dlq.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';
import type { ChatProcessor } from '../../src/pipeline/processor.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../../src/runtime/processor-runtime.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import {
  chatMessage,
  prepareNamespace,
  produceInbound,
  sendChatMessages,
  TopicReader,
  uncommitted,
  waitUntil,
  type Sent,
} from '../support/pipeline.js';

/** Each processor says who it is in its outputs; DEDICATED also starts a workflow. */
// Texts that make the test processors misbehave on purpose.
const BUG_TEXT = 'this one hits a bug';
const LOOKUP_BUG_BUSINESS = 'b-lookup-fails';
const HUGE_TEXT = 'answer at length';
const FLAKY_TEXT = 'the database blinks';
const flakyFailures = new Map<string, number>();

function taggingProcessor(chatType: ChatType, seen: ChatMessage[]): ChatProcessor {
  return {
    chatType,
    async process(message, context) {
      if (message.text === BUG_TEXT) throw new TypeError("Cannot read properties of undefined (reading 'agent')");
      if (message.text === FLAKY_TEXT && (flakyFailures.get(message.eventId) ?? 0) < 2) {
        flakyFailures.set(message.eventId, (flakyFailures.get(message.eventId) ?? 0) + 1);
        throw new DependencyUnavailableError('postgres', 'connection refused');
      }
      seen.push(message);
      const outbound: OutboundEvent = {
        eventId: crypto.randomUUID(),
        conversationId: message.conversationId,
        chatType: message.chatType,
        userId: message.userId,
        businessId: message.businessId,
        causationId: message.eventId,
        producedAt: new Date(context.clock.now()),
        // HUGE_TEXT: an output larger than chat.outbound takes (its 1 MiB broker default).
        body: { type: 'StatusUpdate', status: 'RECEIVED', detail: message.text === HUGE_TEXT ? 'x'.repeat(1_100_000) : `by ${chatType} from offset ${context.source.offset}` },
      };
      const outputs: Awaited<ReturnType<ChatProcessor['process']>>['outputs'] = [
        { topic: 'chat.outbound', key: message.conversationId, value: outbound },
        {
          topic: 'chat.analytics',
          key: message.conversationId,
          value: {
            eventId: crypto.randomUUID(), inboundEventId: message.eventId, conversationId: message.conversationId,
            chatType: message.chatType, userId: message.userId, businessId: message.businessId, channel: message.channel,
            intent: null, agent: null, agentReason: null, outcome: 'UNKNOWN',
            stageLatenciesMs: { ...context.stageLatenciesMs }, sentAt: message.sentAt, processedAt: new Date(context.clock.now()), understoodBy: 'RULES',
          },
        },
      ];
      if (chatType === 'DEDICATED') {
        outputs.push({
          topic: 'chat.workflows',
          key: `wf-${message.eventId}`,
          value: {
            eventId: crypto.randomUUID(), workflowId: `wf-${message.eventId}`, runId: null, workflowType: 'RESERVATION',
            status: 'STARTED', conversationId: message.conversationId, businessId: message.businessId,
            causationId: message.eventId, occurredAt: new Date(context.clock.now()), detail: null,
          },
        });
      }
      return { outputs, outcome: 'UNKNOWN' };
    },
  };
}

describe('processor runtime', () => {
  let config: Config;
  let codec: EventCodec;
  let runtime: ProcessorRuntime;
  let ids: Record<string, number>;
  const seen: Record<ChatType, ChatMessage[]> = { DEDICATED: [], DASHBOARD: [], GLOBAL: [] };

  beforeAll(async () => {
    config = isolatedConfig(uniquePrefix('runtime'), { X7_MAX_TEXT_BYTES: '100', X7_RETRY_INITIAL_MS: '100', X7_RETRY_MAX_MS: '1000' });
    ids = await prepareNamespace(config);
    codec = createCodec(config);
    runtime = createProcessorRuntime({
      config,
      logger: createLogger('test-runtime', 'warn'),
      processors: (['DEDICATED', 'DASHBOARD', 'GLOBAL'] as const).map((t) => taggingProcessor(t, seen[t])),
      // A lookup rule that fails on one business the way PostgreSQL refuses bad bytes.
      asyncRules: [async (m) => {
        if (m.businessId === LOOKUP_BUG_BUSINESS) throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
        return null;
      }],
    });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  it('refuses to start when a chat type has no processor', () => {
    expect(() =>
      createProcessorRuntime({ config, logger: createLogger('test', 'silent'), processors: [taggingProcessor('DEDICATED', [])] }),
    ).toThrow(/no processor for chat types DASHBOARD, GLOBAL/);
  });

  it('routes a valid event of each chat type to its processor; its outputs appear committed on their topics', async () => {
    const messages = [
      chatMessage({ chatType: 'DEDICATED', businessId: 'b-1' }),
      chatMessage({ chatType: 'DASHBOARD', businessId: 'b-2', text: 'pause bookings today' }),
      chatMessage({ chatType: 'GLOBAL', businessId: null, text: 'sushi near me', location: { lat: 48.85, lon: 2.35 } }),
    ];
    const outbound = await TopicReader.open(config, 'chat.outbound');
    const analytics = await TopicReader.open(config, 'chat.analytics');
    const workflows = await TopicReader.open(config, 'chat.workflows');
    try {
      await sendChatMessages(config, codec, messages);
      const statuses = await Promise.all((await outbound.waitFor(3)).map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
      const facts = await Promise.all((await analytics.waitFor(3)).map(async (r) => (await codec.decode('chat.analytics', r.value)).value));
      const started = await Promise.all((await workflows.waitFor(1)).map(async (r) => (await codec.decode('chat.workflows', r.value)).value));

      for (const m of messages) {
        expect(seen[m.chatType].map((s) => s.eventId)).toContain(m.eventId);
        const status = statuses.filter((s) => s.causationId === m.eventId);
        expect(status).toHaveLength(1);
        expect(status[0]!.conversationId).toBe(m.conversationId);
        expect(status[0]!.body).toMatchObject({ type: 'StatusUpdate', status: 'RECEIVED', detail: expect.stringContaining(`by ${m.chatType}`) });
        const fact = facts.filter((f) => f.inboundEventId === m.eventId);
        expect(fact).toHaveLength(1);
        expect(Object.keys(fact[0]!.stageLatenciesMs).sort()).toEqual(['decode', 'validate']);
      }
      // The GLOBAL message's location arrived as sent.
      expect(seen.GLOBAL.find((s) => s.eventId === messages[2]!.eventId)!.location).toEqual({ lat: 48.85, lon: 2.35 });
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ causationId: messages[0]!.eventId, workflowType: 'RESERVATION', status: 'STARTED' });
      for (const r of outbound.records) {
        const value = (await codec.decode('chat.outbound', r.value)).value;
        expect(r.key!.toString()).toBe(value.conversationId);
      }
    } finally {
      await Promise.all([outbound.close(), analytics.close(), workflows.close()]);
    }
  });

  it('dead-letters each kind of bad event exactly once, with its reason and original bytes, and keeps going', async () => {
    const convo = 'c-bad-apples';
    const valid = () => chatMessage({ conversationId: convo });
    const chatMessageId = ids[subjectFor(topicName(config, 'chat.inbound'))]!;
    const outboundAsInbound = await codec.encode('chat.outbound', {
      eventId: crypto.randomUUID(), conversationId: convo, chatType: 'GLOBAL', userId: 'u-1', businessId: null,
      causationId: null, producedAt: new Date(), body: { type: 'StatusUpdate', status: 'RECEIVED', detail: null },
    });
    const bad: { name: string; code: string; field: string; record: { key: string; value: Buffer; headers?: Record<string, Buffer> } }[] = [
      { name: 'not framed', code: 'WIRE_FORMAT', field: '', record: { key: convo, value: Buffer.from('{"text":"hi"}'), headers: { origin: Buffer.from([0x01, 0xfe]) } } },
      { name: 'unknown schema id', code: 'UNKNOWN_SCHEMA', field: '', record: { key: convo, value: frame(2_000_000_000, Buffer.from([2, 0x41])) } },
      { name: 'undecodable body', code: 'DECODE_ERROR', field: '', record: { key: convo, value: frame(chatMessageId, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])) } },
      { name: 'another subject\'s schema', code: 'SCHEMA_MISMATCH', field: '', record: { key: convo, value: outboundAsInbound } },
      { name: 'DEDICATED without business', code: 'INVALID_EVENT', field: 'businessId', record: { key: convo, value: await codec.encode('chat.inbound', chatMessage({ conversationId: convo, businessId: null })) } },
      { name: 'empty text', code: 'INVALID_EVENT', field: 'text', record: { key: convo, value: await codec.encode('chat.inbound', chatMessage({ conversationId: convo, text: '  ' })) } },
      { name: 'oversized text', code: 'INVALID_EVENT', field: 'text', record: { key: convo, value: await codec.encode('chat.inbound', chatMessage({ conversationId: convo, text: 'é'.repeat(51) })) } },
    ];
    // Each bad event is followed by a valid one, which must still flow.
    const followers = bad.map(() => valid());
    const records = [];
    for (let i = 0; i < bad.length; i++) {
      records.push(bad[i]!.record);
      records.push({ key: convo, value: await codec.encode('chat.inbound', followers[i]!) });
    }
    const dlq = await TopicReader.open(config, 'chat.inbound.dlq');
    const outbound = await TopicReader.open(config, 'chat.outbound');
    try {
      const sent: Sent[] = await produceInbound(config, records);
      const dead = await dlq.waitFor(bad.length, { settleMs: 3000 });
      expect(dead).toHaveLength(bad.length);
      const header = (h: Record<string, unknown>, name: string) => String(h[name]);
      for (let i = 0; i < bad.length; i++) {
        const { name, code, field, record } = bad[i]!;
        const source = sent[2 * i]!;
        const matches = dead.filter((d) => header(d.headers, DLQ_HEADERS.sourceOffset) === source.offset && header(d.headers, DLQ_HEADERS.sourcePartition) === String(source.partition));
        expect(matches, name).toHaveLength(1);
        const [d] = matches;
        expect(header(d!.headers, DLQ_HEADERS.code), name).toBe(code);
        expect(header(d!.headers, DLQ_HEADERS.field), name).toBe(field);
        expect(header(d!.headers, DLQ_HEADERS.message).length, name).toBeGreaterThan(5);
        expect(header(d!.headers, DLQ_HEADERS.sourceTopic)).toBe(topicName(config, 'chat.inbound'));
        expect(new Date(header(d!.headers, DLQ_HEADERS.failedAt)).toISOString()).toBe(header(d!.headers, DLQ_HEADERS.failedAt));
        expect(d!.key!.equals(Buffer.from(record.key)), name).toBe(true);
        expect(d!.value!.equals(record.value), name).toBe(true);
        for (const [h, v] of Object.entries(record.headers ?? {})) expect((d!.headers[h] as Buffer).equals(v)).toBe(true);
      }
      // Every valid follower was processed exactly once.
      const statuses = await Promise.all((await outbound.waitFor(3 + followers.length)).map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
      for (const f of followers) expect(statuses.filter((s) => s.causationId === f.eventId)).toHaveLength(1);
      // And the group's position is past all of it.
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'offsets committed to the end');
      expect((await runtime.counts()).recordsRejected).toMatchObject({ WIRE_FORMAT: 1, UNKNOWN_SCHEMA: 1, DECODE_ERROR: 1, SCHEMA_MISMATCH: 1, INVALID_EVENT: 3 });
      expect((await runtime.counts()).dependencyFailures).toBe(0);
    } finally {
      await Promise.all([dlq.close(), outbound.close()]);
    }
  });

  it('dead-letters an event its processor fails on as PROCESSING_ERROR, and retries one that met an outage', async () => {
    const convo = `c-misbehave-${crypto.randomUUID().slice(0, 6)}`;
    const buggy = chatMessage({ conversationId: convo, text: BUG_TEXT });
    const flaky = chatMessage({ conversationId: convo, text: FLAKY_TEXT });
    const after = chatMessage({ conversationId: convo, text: 'and then this' });
    const failuresBefore = (await runtime.counts()).dependencyFailures;
    const dlq = await TopicReader.open(config, 'chat.inbound.dlq');
    const outbound = await TopicReader.open(config, 'chat.outbound');
    try {
      await sendChatMessages(config, codec, [buggy, flaky, after]);
      await waitUntil(() => seen.DEDICATED.some((m) => m.eventId === after.eventId), 30_000, 'the last event processed');
      const statuses = await Promise.all((await outbound.waitFor(outbound.records.length, { settleMs: 2000 })).map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
      // Not an answer: only the notice that it could not be processed.
      expect(statuses.filter((s) => s.causationId === buggy.eventId).map((s) => s.body)).toEqual([
        { type: 'ErrorNotice', code: 'PROCESSING_ERROR', field: null, message: 'Your message could not be processed: something went wrong on our side; we have kept it and will retry.' },
      ]);
      expect(statuses.filter((s) => s.causationId === flaky.eventId)).toHaveLength(1);
      expect(statuses.filter((s) => s.causationId === after.eventId)).toHaveLength(1);
      const dead = dlq.records.filter((d) => String(d.headers[DLQ_HEADERS.code]) === 'PROCESSING_ERROR');
      expect(dead).toHaveLength(1);
      expect(String(dead[0]!.headers[DLQ_HEADERS.message])).toContain('TypeError');
      expect((await codec.decode('chat.inbound', dead[0]!.value)).value.eventId).toBe(buggy.eventId);
      expect(flakyFailures.get(flaky.eventId)).toBe(2);
      expect((await runtime.counts()).dependencyFailures - failuresBefore).toBe(2);
    } finally {
      await Promise.all([dlq.close(), outbound.close()]);
    }
  });

  it('dead-letters an event a validation lookup fails on (not an outage), and the partition goes on', async () => {
    const convo = `c-lookup-${crypto.randomUUID().slice(0, 6)}`;
    const poison = chatMessage({ conversationId: convo, businessId: LOOKUP_BUG_BUSINESS, text: 'hello' });
    const after = chatMessage({ conversationId: convo, text: 'and after it' });
    const dlq = await TopicReader.open(config, 'chat.inbound.dlq');
    try {
      await sendChatMessages(config, codec, [poison, after]);
      await waitUntil(() => seen.DEDICATED.some((m) => m.eventId === after.eventId), 30_000, 'the event after the poison one');
      // The DLQ holds earlier tests' records too (raw bytes among them): this conversation's only.
      const ofConversation = () => dlq.records.filter((d) => d.key?.toString() === convo);
      await waitUntil(() => ofConversation().length > 0, 30_000, 'the poison event in the DLQ');
      await dlq.waitFor(dlq.records.length, { settleMs: 1500 });
      const dead = ofConversation();
      expect(dead).toHaveLength(1);
      expect((await codec.decode('chat.inbound', dead[0]!.value)).value.eventId).toBe(poison.eventId);
      expect(String(dead[0]!.headers[DLQ_HEADERS.code])).toBe('PROCESSING_ERROR');
      expect(String(dead[0]!.headers[DLQ_HEADERS.message])).toContain('invalid byte sequence');
      expect(seen.DEDICATED.some((m) => m.eventId === poison.eventId)).toBe(false);
      expect(runtime.notReady()).toEqual([]);
    } finally {
      await dlq.close();
    }
  });

  it('dead-letters an event whose output is larger than its topic takes, and the partition goes on', async () => {
    const convo = `c-huge-${crypto.randomUUID().slice(0, 6)}`;
    const huge = chatMessage({ conversationId: convo, text: HUGE_TEXT });
    const after = chatMessage({ conversationId: convo, text: 'a short one' });
    const dlq = await TopicReader.open(config, 'chat.inbound.dlq');
    try {
      await sendChatMessages(config, codec, [huge, after]);
      await waitUntil(() => seen.DEDICATED.some((m) => m.eventId === after.eventId), 30_000, 'the event after the huge one');
      const ofConversation = () => dlq.records.filter((d) => d.key?.toString() === convo);
      await waitUntil(() => ofConversation().length > 0, 30_000, 'the huge event in the DLQ');
      await dlq.waitFor(dlq.records.length, { settleMs: 1500 });
      expect(ofConversation()).toHaveLength(1);
      const dead = ofConversation()[0]!;
      expect((await codec.decode('chat.inbound', dead.value)).value.eventId).toBe(huge.eventId);
      expect(String(dead.headers[DLQ_HEADERS.code])).toBe('PROCESSING_ERROR');
      expect(String(dead.headers[DLQ_HEADERS.message])).toMatch(/an output to chat\.outbound is \d+ bytes; the topic takes at most 1048588/);
      expect(runtime.notReady()).toEqual([]);
    } finally {
      await dlq.close();
    }
  });

  it('dead-letters a record just under chat.inbound\'s size limit byte for byte (the DLQ takes more)', async () => {
    const key = `c-big-${crypto.randomUUID().slice(0, 6)}`;
    const value = Buffer.alloc(1_048_300, 0x7b); // '{': not Confluent-framed; with the x7.* headers over 1 MiB
    const dlq = await TopicReader.open(config, 'chat.inbound.dlq');
    try {
      await produceInbound(config, [{ key, value, headers: { 'x-producer': 'big-batch' } }]);
      await waitUntil(() => dlq.records.some((d) => d.key?.toString() === key), 30_000, 'the big record in the DLQ');
      const dead = dlq.records.find((d) => d.key?.toString() === key)!;
      expect(String(dead.headers[DLQ_HEADERS.code])).toBe('WIRE_FORMAT');
      expect(Buffer.compare(dead.value!, value)).toBe(0);
      expect(String(dead.headers['x-producer'])).toBe('big-batch');
      expect(runtime.notReady()).toEqual([]);
    } finally {
      await dlq.close();
    }
  });
});
