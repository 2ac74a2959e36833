// Helpers for tests of the processor pipeline against the real broker and
// registry: a namespace of the test's own (topics and subjects), inbound events,
// and reading what landed on a topic the way an analytics consumer would
// (read-committed, from the beginning).
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { ChatMessage, LogicalTopic } from '../../src/events.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../src/kafka/client.js';
import { applyTopics, topicName } from '../../src/kafka/topics.js';
import { registerSchemas, RegistryAdmin, schemaSources } from '../../src/schemas/registry.js';
import { CHAT_TYPES, type ChatType } from '../../src/events.js';
import type { ChatProcessor } from '../../src/pipeline/processor.js';

/**
 * One processor per chat type that answers each message with a DONE status whose
 * detail is the message's text: tests put a sequence number or marker in the text
 * and read it back on chat.outbound.
 */
export function echoProcessors(): ChatProcessor[] {
  return CHAT_TYPES.map((chatType: ChatType): ChatProcessor => ({
    chatType,
    async process(message, context) {
      return { outcome: 'ANSWERED', outputs: [{
        topic: 'chat.outbound',
        key: message.conversationId,
        value: {
          eventId: randomUUID(), conversationId: message.conversationId, chatType, userId: message.userId,
          businessId: message.businessId, causationId: message.eventId, producedAt: new Date(context.clock.now()),
          body: { type: 'StatusUpdate', status: 'DONE', detail: message.text },
        },
      }] };
    },
  }));
}

/** Creates the namespace's topics and registers its subjects; returns subject → schema id. */
export async function prepareNamespace(config: Config): Promise<Record<string, number>> {
  const admin = createKafka(config, 'test-setup').admin();
  await admin.connect();
  try {
    await applyTopics(admin, config);
  } finally {
    await admin.disconnect();
  }
  const results = await registerSchemas(new RegistryAdmin(config.schemaRegistryUrl), schemaSources(config));
  return Object.fromEntries(results.map((r) => [r.subject, r.id]));
}

export function chatMessage(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    eventId: randomUUID(),
    conversationId: `c-${randomUUID().slice(0, 8)}`,
    chatType: 'DEDICATED',
    userId: 'u-1',
    businessId: 'b-1',
    text: 'table for 4 tomorrow at 7pm',
    channel: 'WEB',
    locale: 'en-GB',
    location: null,
    sentAt: new Date(),
    clientMessageId: null,
    senderRole: null,
    ...overrides,
  };
}

export interface RawRecord {
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface Sent {
  partition: number;
  offset: string;
}

/** Produces raw records to the namespace's chat.inbound; returns where each landed. */
export async function produceInbound(config: Config, records: RawRecord[]): Promise<Sent[]> {
  const producer = createKafka(config, 'test-producer').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
  await producer.connect();
  try {
    const sent: Sent[] = [];
    // One at a time, so the broker's answer tells each record's own offset.
    for (const record of records) {
      const [meta] = await producer.send({ topic: topicName(config, 'chat.inbound'), messages: [record] });
      sent.push({ partition: meta!.partition, offset: meta!.baseOffset! });
    }
    return sent;
  } finally {
    await producer.disconnect();
  }
}

/** Encodes chat messages with the codec and produces them keyed by conversationId (with `headers` on each, if given). */
export async function sendChatMessages(config: Config, codec: EventCodec, messages: ChatMessage[], headers?: IHeaders): Promise<void> {
  const records: RawRecord[] = [];
  for (const m of messages) records.push({ key: m.conversationId, value: await codec.encode('chat.inbound', m), ...(headers ? { headers } : {}) });
  const producer = createKafka(config, 'test-producer').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
  await producer.connect();
  try {
    // A batch keeps the per-key order (one partition per key, one request at a time).
    await producer.send({ topic: topicName(config, 'chat.inbound'), messages: records });
  } finally {
    await producer.disconnect();
  }
}

export interface Received {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Reads a topic from the beginning with read_committed, as a consumer of our
 * outputs would, until `count` records arrived and then `settleMs` more (so a
 * duplicate would show up), or until `timeoutMs`.
 */
export class TopicReader {
  readonly records: Received[] = [];
  private constructor(private readonly consumer: ReturnType<Kafka['consumer']>) {}

  static async open(config: Config, logical: LogicalTopic): Promise<TopicReader> {
    const consumer = createKafka(config, 'test-reader').consumer({ groupId: `${config.topicPrefix}reader-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 200 });
    const reader = new TopicReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topicName(config, logical)], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        reader.records.push({ partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
      },
    });
    return reader;
  }

  async waitFor(count: number, { timeoutMs = 45_000, settleMs = 1500 } = {}): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.records.length < count && Date.now() < deadline) await sleep(100);
    await sleep(settleMs);
    return this.records;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** The group's committed offsets on chat.inbound, partition → offset ("-1" when none). */
export async function committedOffsets(config: Config): Promise<Record<number, string>> {
  const admin = createKafka(config, 'test-admin').admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId: config.consumerGroup, topics: [topicName(config, 'chat.inbound')] });
    return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** chat.inbound's end offsets, partition → offset. */
export async function endOffsets(config: Config): Promise<Record<number, string>> {
  const admin = createKafka(config, 'test-admin').admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topicName(config, 'chat.inbound'));
    return Object.fromEntries(offsets.map((o) => [o.partition, o.high]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Partitions of chat.inbound holding records whose offset the group has not
 * committed yet: partition → [committed, end]. Empty when everything is committed.
 */
export async function uncommitted(config: Config): Promise<Record<number, [string, string]>> {
  const [committed, end] = await Promise.all([committedOffsets(config), endOffsets(config)]);
  const behind: Record<number, [string, string]> = {};
  for (const [partition, high] of Object.entries(end)) {
    const at = committed[Number(partition)] ?? '-1';
    if (high !== '0' && at !== high) behind[Number(partition)] = [at, high];
  }
  return behind;
}

export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs = 45_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { createCodec };
