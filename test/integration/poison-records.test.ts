// No record can stall a partition. A property-based test (fast-check) of the processor
// as `x7 processor` assembles it (createProcessorService: the shipped processors, the
// known-business rule, the conversation store) against the real Kafka, registry and
// PostgreSQL. Each run throws a generated batch at it:
//  - random bytes: a wrong magic byte, a truncated Confluent header, an unknown schema
//    id, a garbage or mangled Avro body, invalid UTF-8 inside an Avro string;
//  - schema-valid ChatMessages with hostile strings in every string field (NUL, control
//    characters, lone surrogates, bidi and zero-width marks, strings up to the topic's
//    1 MiB), timestamps no Date can hold, unknown businesses, chat types the processor
//    does not know (a newer writer schema), eventIds used twice;
//  - keys that are the conversationId (as producers should), none, or something else;
//  - producer headers: x7.* names, names of Object.prototype's members, values that
//    are null (as Java producers write them);
//  - a few good messages, which must be answered.
// After each run an operator must see: every record either with its outputs on
// chat.outbound and chat.analytics (read committed) or as exactly one DLQ copy with
// its reason; the group's committed offset at the end of every partition; no partition
// paused, none ever (there is no outage here, so no failure may be taken for one).
// A failing run prints fast-check's seed and the batch; pin `seed` in PROPERTY to replay.
// The poison records it found are kept as the regular tests before it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import avro, { type Type } from 'avsc';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessorService, type ProcessorService } from '../../src/app/processor-service.js';
import { parseSchema } from '../../src/codec/avro.js';
import { createCodec, frame, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, ChatType, OutboundEvent, TopicValues } from '../../src/events.js';
import { subjectFor, topicName } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { sampleValue } from '../../src/observability/metrics.js';
import { projectPath } from '../../src/paths.js';
import { dlqCopyHeaderName, DLQ_HEADERS, ORIGINAL_HEADER_PREFIX } from '../../src/pipeline/dlq.js';
import type { RejectionCode } from '../../src/pipeline/rejection.js';
import { RegistryAdmin } from '../../src/schemas/registry.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, TopicReader, uncommitted, waitUntil, type Received, type Sent } from '../support/pipeline.js';
import { produceWireRecords, type WireRecord } from '../support/wire-producer.js';

/** Fixed bounds: numRuns batches of BAD plus GOOD records each (about 3 s a batch on 2 cores). */
const PROPERTY: fc.Parameters<[Batch]> = { numRuns: 8, endOnFailure: true };
const BAD = { minLength: 10, maxLength: 18 };
const GOOD = { minLength: 2, maxLength: 4 };
/** chat.inbound's max.message.bytes (topics.yaml), and what a record needs besides key, value and headers. */
const INBOUND_LIMIT = 1_048_576;
const RECORD_SLACK = 1_024;

const TABERNA = 'lis-taberna-do-largo';
const DEDICATED_BUSINESSES = [TABERNA, 'lis-studio-cabelo-chiado', 'lis-clinica-estrela', 'lis-cafe-do-miradouro'];
const CUSTOMERS = ['u-diego', 'u-eva', 'u-filipa', 'u-gustavo'];
const QUESTIONS: Record<ChatType, string[]> = {
  DEDICATED: ["what's on the menu?", 'are you open tomorrow?', 'do you take cards?', 'is there parking nearby?', 'hello'],
  DASHBOARD: ['how many bookings this week?', 'what are the top questions this month?', 'how many messages today?'],
  GLOBAL: ['recommend a cheap cafe', 'sushi near me', 'where can I get a haircut?', 'best pastries in Belém'],
};
/** Marks real users' text carries (bidi, zero-width, emoji, combining, other scripts): never a reason to reject. */
const BENIGN_UNITS = ['\u200e', '\u200f', '\u202b', '\u2067', '\u2069', '\u061c', '\u200b', '\u200c', '\u200d', '\u2060', '\t', '\n', '\u0001', '😀', 'e\u0301', 'ж', 'مرحبا', 'שלום', '中文'];
/** What makes strings hostile: NUL and other controls, lone surrogates, noncharacters, quoting and escaping characters. */
const HOSTILE_UNITS = [
  ...BENIGN_UNITS, '\u0000', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udbff', '\udc00', '\udfff', '\u2028', '\u2029',
  '\ufeff', '\ufffe', '\uffff', '\u{10ffff}', "'", '"', '\\', '%', '_', '${x}', '<script>', ' ', '\r\n', '-- ', '\u0000\u0000',
];
/** Bytes that are not UTF-8, put inside an Avro string: a CESU-8 surrogate, an overlong NUL, 0xFF, past U+10FFFF, a cut sequence. */
const NOT_UTF8 = [[0xed, 0xa0, 0x80], [0xc0, 0x80], [0xff], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x80]];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const STRING_FIELDS = ['eventId', 'conversationId', 'userId', 'businessId', 'text', 'locale', 'clientMessageId'] as const;
type StringField = (typeof STRING_FIELDS)[number];

// ---------------------------------------------------------------------------------
// What fast-check generates: plain data, turned into records by `materialize`.

/** A ChatMessage to be: `conversation` a number picks one of the run's conversations. */
interface MessageSpec {
  chatType: string;
  channel: string;
  eventId: string | null; // null: a fresh UUID
  conversation: number | string;
  userId: string;
  businessId: string | null;
  text: string;
  locale: string;
  location: { lat: number; lon: number } | null;
  sentAtOffsetMs: number;
  clientMessageId: string | null;
  senderRole: string | null;
  /** One field made long: a size in UTF-8 bytes, or "fill" (up to the topic's limit). */
  long: { field: StringField; unit: string; bytes: number | 'fill' } | null;
}

type Expectation = 'processed' | 'dead-lettered' | 'either' | RejectionCode;

type Spec =
  | { kind: 'wrong-magic'; bytes: Uint8Array }
  | { kind: 'short-frame'; bytes: Uint8Array }
  | { kind: 'tombstone' }
  | { kind: 'unknown-schema-id'; id: number; body: Uint8Array }
  | { kind: 'any-schema-id'; id: number; body: Uint8Array }
  | { kind: 'garbage-body'; body: Uint8Array }
  | { kind: 'mangled'; message: MessageSpec; how: 'truncate' | 'append' | 'flip'; at: number; bytes: Uint8Array }
  | { kind: 'not-utf8'; message: MessageSpec; field: 'text' | 'userId' | 'conversationId' | 'locale'; bytes: number[] }
  | { kind: 'sent-at-beyond-date'; message: MessageSpec; sentAt: number }
  | { kind: 'newer-schema'; message: MessageSpec }
  | { kind: 'unknown-business'; message: MessageSpec }
  | { kind: 'hostile'; message: MessageSpec }
  | { kind: 'good'; message: MessageSpec };

interface RecordSpec {
  spec: Spec;
  /** The Kafka key: the conversationId (as producers should), none, or something else. */
  key: 'conversation' | 'null' | 'other';
  headers: [string, Uint8Array | null][];
  /** Take the eventId of an earlier record of the batch that has a well-formed one (this modulo how many do). */
  sameEventIdAs: number | null;
}

interface Batch {
  records: RecordSpec[];
}

const bytesArb = (maxLength: number) => fc.uint8Array({ maxLength });
const hostileUnit = fc.oneof(fc.constantFrom(...HOSTILE_UNITS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }));
const hostileString = fc.string({ unit: hostileUnit, maxLength: 24 });
const benignText = (chatType: ChatType) =>
  fc.tuple(fc.constantFrom(...QUESTIONS[chatType]), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...BENIGN_UNITS)), { maxLength: 4 }))
    // Between code points: a mark put inside an emoji's surrogate pair would make the text not Unicode.
    .map(([question, marks]) => {
      const points = Array.from(question);
      for (const [at, mark] of marks) points.splice(at % (points.length + 1), 0, mark);
      return points.join('');
    });
const locationArb = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  { arbitrary: fc.record({ lat: fc.double({ min: 38.69, max: 38.78, noNaN: true }), lon: fc.double({ min: -9.23, max: -9.09, noNaN: true }) }), weight: 3 },
  { arbitrary: fc.record({ lat: fc.double(), lon: fc.double() }), weight: 2 }, // NaN, ±Infinity, -0, out of range
);
const longArb = fc.option(fc.record({
  field: fc.constantFrom(...STRING_FIELDS),
  unit: fc.constantFrom('x', 'é', '\u200f', '😀', '\u0000', 'a\ud800'),
  // Just within the text limit (4000 bytes), just over it, far over it, up to the record's.
  bytes: fc.constantFrom<number | 'fill'>(3_990, 4_001, 70_000, 400_000, 'fill'),
}), { nil: null, freq: 3 });

/** A message of `chatType` that passes every rule: a known business, a question, now. */
const goodMessage: fc.Arbitrary<MessageSpec> = fc.constantFrom<ChatType>('DEDICATED', 'DASHBOARD', 'GLOBAL').chain((chatType) => fc.record({
  chatType: fc.constant(chatType),
  channel: fc.constantFrom('WEB', 'MOBILE', 'VOICE', 'SMS'),
  eventId: fc.constant(null),
  conversation: fc.nat({ max: 3 }),
  userId: chatType === 'DASHBOARD' ? fc.constantFrom('u-ana', 'u-bruno', 'u-diego') : fc.constantFrom(...CUSTOMERS),
  businessId: chatType === 'GLOBAL' ? fc.constant(null) : chatType === 'DASHBOARD' ? fc.constant(TABERNA) : fc.constantFrom(...DEDICATED_BUSINESSES),
  text: benignText(chatType),
  locale: fc.constantFrom('en-GB', 'pt-PT', 'ar', 'he-IL'),
  location: chatType === 'GLOBAL' ? locationArb.filter((l) => l === null || (Math.abs(l.lat - 38.7) < 1 && Math.abs(l.lon + 9.1) < 1)) : fc.constant(null),
  sentAtOffsetMs: fc.integer({ min: -3_600_000, max: 0 }),
  // Not a rule's business: whatever the client put there, the message is answered.
  clientMessageId: fc.option(hostileString, { nil: null }),
  senderRole: fc.constantFrom(null, 'USER'),
  long: fc.constant(null),
}));

/** Fields a hostile message may have hostile values in. */
const HOSTILE_FIELDS = ['eventId', 'conversation', 'userId', 'businessId', 'text', 'locale', 'clientMessageId', 'location', 'sentAtOffsetMs', 'chatType', 'senderRole'] as const;

/**
 * A good message with one to three fields hostile (so most of them reach the processors,
 * which meet the hostile text, ids and locations), and maybe one field long.
 */
const hostileMessage: fc.Arbitrary<MessageSpec> = fc.record({
  base: goodMessage,
  fields: fc.subarray([...HOSTILE_FIELDS], { minLength: 1, maxLength: 3 }),
  values: fc.record({
    eventId: hostileString,
    conversation: hostileString,
    userId: hostileString,
    businessId: fc.option(hostileString, { nil: null }),
    // Hostile, but most often around a question the processors understand.
    text: fc.tuple(hostileString, fc.constantFrom(...QUESTIONS.DEDICATED, ...QUESTIONS.GLOBAL, ''), hostileString).map((parts) => parts.join('')),
    locale: hostileString,
    clientMessageId: hostileString,
    location: fc.record({ lat: fc.double(), lon: fc.double() }), // NaN, ±Infinity, -0, out of range
    sentAtOffsetMs: fc.integer({ min: -40 * 365 * 86_400_000, max: 86_400_000 }),
    chatType: fc.constantFrom('DEDICATED', 'DASHBOARD', 'GLOBAL'),
    senderRole: fc.constantFrom('STAFF', 'USER'),
  }),
  long: longArb,
}).map(({ base, fields, values, long }) => ({ ...base, ...Object.fromEntries(fields.map((f) => [f, values[f]])), long }));

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ kind: fc.constant('wrong-magic' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }).filter((b) => b[0] !== 0) }),
  fc.record({ kind: fc.constant('short-frame' as const), bytes: fc.uint8Array({ maxLength: 4 }).map((b) => (b.length === 0 ? b : Uint8Array.from([0, ...b.subarray(1)]))) }),
  fc.record({ kind: fc.constant('tombstone' as const) }),
  fc.record({ kind: fc.constant('unknown-schema-id' as const), id: fc.integer({ min: 1_000_000_000, max: 0x7fffffff }), body: bytesArb(32) }),
  fc.record({ kind: fc.constant('any-schema-id' as const), id: fc.integer({ min: 0, max: 400 }), body: bytesArb(32) }),
  fc.record({ kind: fc.constant('garbage-body' as const), body: bytesArb(200) }),
  fc.record({ kind: fc.constant('mangled' as const), message: goodMessage, how: fc.constantFrom('truncate' as const, 'append' as const, 'flip' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('not-utf8' as const), message: goodMessage, field: fc.constantFrom('text' as const, 'userId' as const, 'conversationId' as const, 'locale' as const), bytes: fc.constantFrom(...NOT_UTF8) }),
  fc.record({ kind: fc.constant('sent-at-beyond-date' as const), message: goodMessage, sentAt: fc.oneof(fc.integer({ min: 8_640_000_000_000_001, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -8_640_000_000_000_001 })) }),
  fc.record({ kind: fc.constant('newer-schema' as const), message: fc.tuple(goodMessage, fc.boolean()).map(([m, chatType]) => (chatType ? { ...m, chatType: 'VOICE_BOT' } : { ...m, channel: 'CARRIER_PIGEON' })) }),
  fc.record({ kind: fc.constant('unknown-business' as const), message: fc.tuple(goodMessage, fc.string({ minLength: 1, maxLength: 12 })).filter(([m]) => m.chatType !== 'GLOBAL').map(([m, suffix]) => ({ ...m, businessId: `b-unknown-${suffix.replace(/[^a-z0-9]/gi, 'x')}` })) }),
  { arbitrary: fc.record({ kind: fc.constant('hostile' as const), message: hostileMessage }), weight: 6 },
);

const headerArb: fc.Arbitrary<[string, Uint8Array | null]> = fc.tuple(
  fc.oneof(
    fc.constantFrom('x7.error.reason', 'x7.error.code', 'x7.error.message', 'x7.source.offset', 'x7.failed.at', 'x7.original.error.code', 'x7.', 'traceparent', 'content-type', '__proto__', 'constructor', 'toString', 'X7.Error.Code', 'x7-error'),
    fc.string({ maxLength: 16 }),
  ),
  fc.oneof(
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: bytesArb(24), weight: 2 },
    { arbitrary: fc.constantFrom('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'not a traceparent', 'because I said so').map((s) => new Uint8Array(Buffer.from(s))), weight: 2 },
  ),
);

const recordArb = (spec: fc.Arbitrary<Spec>): fc.Arbitrary<RecordSpec> => fc.record({
  spec,
  key: fc.oneof({ arbitrary: fc.constant('conversation' as const), weight: 8 }, fc.constant('null' as const), fc.constant('other' as const)),
  headers: fc.array(headerArb, { maxLength: 5 }),
  sameEventIdAs: fc.option(fc.nat(), { nil: null, freq: 6 }),
});

const batchArb: fc.Arbitrary<Batch> = fc.record({
  bad: fc.array(recordArb(specArb), BAD),
  good: fc.array(fc.tuple(fc.nat(), recordArb(goodMessage.map((message) => ({ kind: 'good' as const, message })))), GOOD),
}).map(({ bad, good }) => {
  const records = [...bad];
  // The good ones at generated places among the others.
  for (const [at, record] of good) records.splice(at % (records.length + 1), 0, record);
  return withDescription({ records });
});

/** fast-check prints a failing batch with this: strings cut short and escaped, bytes as hex. */
function withDescription(batch: Batch): Batch {
  const show = (value: unknown): unknown => {
    if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} chars)` : JSON.stringify(value);
    if (value instanceof Uint8Array) return `hex:${Buffer.from(value.subarray(0, 32)).toString('hex')}${value.length > 32 ? `… (${value.length} bytes)` : ''}`;
    if (Array.isArray(value)) return value.map(show);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, show(v)]));
    return value;
  };
  return Object.assign(batch, { [fc.toStringMethod]: () => JSON.stringify(show(batch.records), null, 1) });
}

// ---------------------------------------------------------------------------------

interface Produced {
  spec: RecordSpec;
  record: WireRecord;
  /** The eventId, when the record carries a ChatMessage the processor can read. */
  eventId: string | null;
  expect: Expectation;
  at: Sent;
}

describe('poison records', () => {
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let service: ProcessorService;
  let base: string;
  let readers: Record<'outbound' | 'analytics' | 'dlq', TopicReader>;
  let chatMessageId: number;
  let newer: { id: number; type: Type };
  let plainSentAt: Type;
  const decoded = new Map<string, OutboundEvent | AnalyticsEvent>();

  beforeAll(async () => {
    const prefix = uniquePrefix('poison');
    db = await createTestDatabase({ seed: true, label: 'poison' });
    config = isolatedConfig(prefix, {
      DATABASE_URL: db.url,
      // Workflows a message may start go to a task queue of the test's own.
      X7_TASK_QUEUE: `${prefix}workflows`,
      X7_RETRY_INITIAL_MS: '100',
      X7_RETRY_MAX_MS: '1000',
      X7_LOG_LEVEL: 'silent',
    });
    const ids = await prepareNamespace(config);
    chatMessageId = ids[subjectFor(topicName(config, 'chat.inbound'))]!;
    codec = createCodec(config);
    // A newer ChatMessage a producer might write: a chat type and a channel this processor does not know.
    const source = readFileSync(projectPath('schemas/ChatMessage.avsc'), 'utf8');
    const schema = JSON.parse(source) as { fields: { name: string; type: { symbols?: string[] } }[] };
    schema.fields.find((f) => f.name === 'chatType')!.type.symbols!.push('VOICE_BOT');
    schema.fields.find((f) => f.name === 'channel')!.type.symbols!.push('CARRIER_PIGEON');
    newer = { id: await new RegistryAdmin(config.schemaRegistryUrl).register(`${prefix}newer-chat-message-value`, JSON.stringify(schema)), type: parseSchema(JSON.stringify(schema)) };
    // ChatMessage with sentAt as the plain long it is on the wire: instants no Date can hold.
    plainSentAt = avro.Type.forSchema(JSON.parse(source) as avro.Schema, { wrapUnions: 'auto' });

    service = createProcessorService({ config, logger: createLogger('test-poison', 'silent'), probeIntervalMs: 1_000 });
    const { metricsPort } = await service.start();
    base = `http://127.0.0.1:${metricsPort}`;
    const [outbound, analytics, dlq] = await Promise.all([
      TopicReader.open(config, 'chat.outbound'), TopicReader.open(config, 'chat.analytics'), TopicReader.open(config, 'chat.inbound.dlq'),
    ]);
    readers = { outbound: outbound!, analytics: analytics!, dlq: dlq! };
    await waitUntil(() => service.runtime.notReady().length === 0, 60_000, 'partitions assigned');
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all(Object.values(readers ?? {}).map((r) => r.close()));
    await db?.drop();
  });

  const metrics = async () => (await fetch(`${base}/metrics`)).text();
  const sum = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);

  /** The ChatMessage a spec describes, in run `nonce`, with everything a producer would fill in. */
  function messageOf(spec: MessageSpec, nonce: string, unique: boolean): ChatMessage {
    return {
      eventId: spec.eventId ?? randomUUID(),
      // A conversation keyed by something else must not share its state with another partition's.
      conversationId: unique ? `c-${nonce}-${randomUUID().slice(0, 8)}` : typeof spec.conversation === 'number' ? `c-${nonce}-${spec.conversation}` : spec.conversation,
      chatType: spec.chatType as ChatType,
      userId: spec.userId,
      businessId: spec.businessId,
      text: spec.text,
      channel: spec.channel as ChatMessage['channel'],
      locale: spec.locale,
      location: spec.location,
      sentAt: new Date(Date.now() + spec.sentAtOffsetMs),
      clientMessageId: spec.clientMessageId,
      senderRole: spec.senderRole as ChatMessage['senderRole'],
    };
  }

  /** Makes `spec.long`'s field that long; "fill" takes the record to just under chat.inbound's limit. */
  async function lengthen(message: ChatMessage, long: NonNullable<MessageSpec['long']>, budget: number, keyIsConversation: boolean): Promise<ChatMessage> {
    const base = Buffer.byteLength(await codec.encode('chat.inbound', { ...message, [long.field]: '' }));
    let bytes = long.bytes === 'fill' ? budget - base - 16 : long.bytes;
    // The conversationId is the key too: it counts twice.
    if (long.field === 'conversationId' && keyIsConversation) bytes = Math.min(bytes, Math.floor((budget - base - 16) / 2));
    return { ...message, [long.field]: long.unit.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(long.unit)))) };
  }

  async function materialize(batch: Batch, nonce: string): Promise<Omit<Produced, 'at'>[]> {
    const out: Omit<Produced, 'at'>[] = [];
    for (const rs of batch.records) {
      const { spec } = rs;
      const headers = rs.headers.map(([name, value]): [string, Buffer | null] => [name, value === null ? null : Buffer.from(value)]);
      const headerBytes = headers.reduce((n, [name, value]) => n + Buffer.byteLength(name) + (value?.length ?? 0) + 10, 0);
      const budget = INBOUND_LIMIT - RECORD_SLACK - headerBytes;
      let message: ChatMessage | null = null;
      let value: Buffer | null;
      let expected: Expectation = 'either';
      if ('message' in spec) {
        message = messageOf(spec.message, nonce, rs.key !== 'conversation');
        // An eventId sent twice is a well-formed one (hostile ones are generated on their own).
        const withIds = out.filter((p) => p.eventId !== null && UUID.test(p.eventId));
        if (rs.sameEventIdAs !== null && withIds.length > 0) message.eventId = withIds[rs.sameEventIdAs % withIds.length]!.eventId!;
        if (spec.message.long) message = await lengthen(message, spec.message.long, budget, rs.key === 'conversation');
      }
      switch (spec.kind) {
        case 'wrong-magic':
        case 'short-frame':
          value = Buffer.from(spec.bytes);
          expected = 'WIRE_FORMAT';
          break;
        case 'tombstone':
          value = null;
          expected = 'WIRE_FORMAT';
          break;
        case 'unknown-schema-id':
          value = frame(spec.id, Buffer.from(spec.body));
          expected = 'UNKNOWN_SCHEMA';
          break;
        case 'any-schema-id':
          value = frame(spec.id, Buffer.from(spec.body));
          expected = 'dead-lettered';
          break;
        case 'garbage-body':
          value = frame(chatMessageId, Buffer.from(spec.body));
          expected = 'dead-lettered';
          break;
        case 'mangled': {
          const whole = await codec.encode('chat.inbound', message!);
          const at = 5 + (spec.at % (whole.length - 5));
          value = spec.how === 'truncate' ? whole.subarray(0, at)
            : spec.how === 'append' ? Buffer.concat([whole, Buffer.from(spec.bytes)])
            : Buffer.from(whole.map((b, i) => (i === at ? b ^ (spec.bytes[0]! || 1) : b)));
          expected = spec.how === 'flip' ? 'either' : 'DECODE_ERROR';
          break;
        }
        case 'not-utf8': {
          // A marker of as many bytes, replaced after encoding: the Avro string length stays right.
          const marker = '\u0007'.repeat(spec.bytes.length);
          const withMarker = { ...message!, [spec.field]: `${message![spec.field]}${marker}` };
          const encoded = await codec.encode('chat.inbound', withMarker);
          const at = encoded.indexOf(Buffer.from(marker));
          value = Buffer.concat([encoded.subarray(0, at), Buffer.from(spec.bytes), encoded.subarray(at + spec.bytes.length)]);
          message = withMarker;
          break;
        }
        case 'sent-at-beyond-date':
          value = frame(chatMessageId, plainSentAt.toBuffer({ ...message!, sentAt: spec.sentAt }));
          expected = 'INVALID_EVENT';
          break;
        case 'newer-schema':
          value = frame(newer.id, newer.type.toBuffer(message!));
          expected = 'dead-lettered';
          break;
        case 'unknown-business':
          value = await codec.encode('chat.inbound', message!);
          expected = 'INVALID_EVENT';
          break;
        case 'hostile':
          value = await codec.encode('chat.inbound', message!);
          break;
        case 'good':
          value = await codec.encode('chat.inbound', message!);
          expected = 'processed';
          break;
      }
      const key = rs.key === 'null' ? null : rs.key === 'other' || message === null ? Buffer.from(`k-${nonce}-${out.length}`) : Buffer.from(message.conversationId);
      // Its eventId when the processor can read it at all (the same codec, test-side).
      const eventId = value === null ? null : await codec.decode('chat.inbound', value).then((d) => d.value.eventId, () => null);
      out.push({ spec: rs, record: { key, value, headers }, eventId, expect: expected });
    }
    return out;
  }

  /** What a consumer of chat.outbound or chat.analytics read so far that `match`es (each record decoded once). */
  const readBack = async <T extends 'chat.outbound' | 'chat.analytics'>(topic: T, match: (value: TopicValues[T]) => boolean) => {
    const found: TopicValues[T][] = [];
    for (const r of (topic === 'chat.outbound' ? readers.outbound : readers.analytics).records) {
      const id = `${topic}:${r.partition}:${r.offset}`;
      if (!decoded.has(id)) decoded.set(id, (await codec.decode(topic, r.value)).value);
      const value = decoded.get(id) as TopicValues[T];
      if (match(value)) found.push(value);
    }
    return found;
  };
  const factsOf = (eventId: string) => readBack('chat.analytics', (fact) => fact.inboundEventId === eventId);
  const outboundOf = (eventId: string) => readBack('chat.outbound', (event) => event.causationId === eventId);
  const dlqCopiesOf = (at: Sent) => readers.dlq.records.filter((d) =>
    String(d.headers[DLQ_HEADERS.sourcePartition]) === String(at.partition) && String(d.headers[DLQ_HEADERS.sourceOffset]) === at.offset);

  /** Throws, naming the record, unless its DLQ copy is the record as produced plus our reason. */
  function checkDlqCopy(p: Produced, copy: Received): void {
    const what = `DLQ copy of ${p.spec.spec.kind} record at ${p.at.partition}@${p.at.offset}`;
    const same = (a: Buffer | null, b: Buffer | null) => (a === null ? b === null : b !== null && a.equals(b));
    expect(same(copy.key, p.record.key), `${what}: key`).toBe(true);
    expect(same(copy.value, p.record.value), `${what}: value`).toBe(true);
    const text = (name: string) => (copy.headers[name] as Buffer).toString('utf8');
    // Ours, each exactly once; any other x7.* header is one the record came with, kept as x7.original.*.
    for (const name of Object.values(DLQ_HEADERS)) expect(Buffer.isBuffer(copy.headers[name]), `${what}: ${name} once`).toBe(true);
    for (const name of Object.keys(copy.headers)) {
      if (name.startsWith('x7.')) expect(Object.values(DLQ_HEADERS).includes(name as never) || name.startsWith(ORIGINAL_HEADER_PREFIX), `${what}: header ${name}`).toBe(true);
    }
    expect(text(DLQ_HEADERS.sourceTopic)).toBe(topicName(config, 'chat.inbound'));
    expect(text(DLQ_HEADERS.message).length, `${what}: a reason`).toBeGreaterThan(0);
    const code = text(DLQ_HEADERS.code);
    expect(['WIRE_FORMAT', 'UNKNOWN_SCHEMA', 'DECODE_ERROR', 'SCHEMA_MISMATCH', 'INVALID_EVENT', 'PROCESSING_ERROR'], `${what}: code`).toContain(code);
    if (!['either', 'dead-lettered', 'processed'].includes(p.expect)) expect(code, `${what}: ${text(DLQ_HEADERS.message)}`).toBe(p.expect);
    // The producer's headers, values byte for byte (a null value comes back empty: kafkajs cannot write null).
    const produced = new Map<string, Buffer[]>();
    for (const [name, value] of p.record.headers) produced.set(name, [...(produced.get(name) ?? []), value ?? Buffer.alloc(0)]);
    for (const [name, values] of produced) {
      const copied = copy.headers[dlqCopyHeaderName(name)];
      // Only Buffers come from the wire (kafkajs decodes a header named "__proto__" as [Object.prototype, value]).
      const got = (Array.isArray(copied) ? copied : [copied]).filter((v) => Buffer.isBuffer(v)).map((v) => (v as Buffer).toString('hex'));
      expect(got, `${what}: header ${JSON.stringify(name)}`).toEqual(values.map((v) => v.toString('hex')));
    }
  }

  it('a record whose traceparent header has no value (null) is answered like any other', async () => {
    const message = messageOf({
      chatType: 'DEDICATED', channel: 'WEB', eventId: null, conversation: 'c-null-trace', userId: 'u-diego', businessId: TABERNA,
      text: 'do you take cards?', locale: 'en-GB', location: null, sentAtOffsetMs: 0, clientMessageId: null, senderRole: null, long: null,
    }, randomUUID().slice(0, 8), true);
    await produceWireRecords(config, [{ key: Buffer.from(message.conversationId), value: await codec.encode('chat.inbound', message), headers: [['traceparent', null]] }]);
    await waitUntil(async () => (await factsOf(message.eventId)).length > 0, 30_000, 'the analytics fact of the message');
    expect((await outboundOf(message.eventId)).some((e) => e.body.type === 'Reply')).toBe(true);
    expect(service.runtime.notReady()).toEqual([]);
  });

  it("keeps a rejected record's null-valued and x7.* headers apart from ours in its DLQ copy, and the partition goes on", async () => {
    const key = Buffer.from(`c-headers-${randomUUID().slice(0, 8)}`);
    const record: WireRecord = {
      key,
      value: Buffer.from('not avro'),
      headers: [
        ['x7.error.reason', Buffer.from('forged by the producer')], ['x7.error.code', Buffer.from('ALL_GOOD')], ['empty', null],
        ['x-app', Buffer.from([0xff, 0x00])], ['__proto__', Buffer.from('p')], ['constructor', Buffer.from('c')],
      ],
    };
    const [at] = await produceWireRecords(config, [record]);
    await waitUntil(() => dlqCopiesOf(at!).length > 0, 30_000, 'the DLQ copy');
    await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 30_000, 'offsets committed to the end');
    const [copy] = dlqCopiesOf(at!);
    expect(String(copy!.headers['x7.original.error.reason'])).toBe('forged by the producer');
    expect(String(copy!.headers['x7.original.error.code'])).toBe('ALL_GOOD');
    // Ours is the only x7.error.reason-like header left: x7.error.code is WIRE_FORMAT, once.
    expect(copy!.headers['x7.error.reason']).toBeUndefined();
    expect(copy!.headers[DLQ_HEADERS.code]).toEqual(Buffer.from('WIRE_FORMAT'));
    expect(copy!.headers.empty).toEqual(Buffer.alloc(0));
    expect(copy!.headers['x-app']).toEqual(Buffer.from([0xff, 0x00]));
    // Names of Object.prototype's members are headers like any other (kafkajs decodes each as [member, value]).
    expect(copy!.headers['constructor']).toEqual([Object, Buffer.from('c')]);
    expect((copy!.headers['__proto__'] as unknown[])[1]).toEqual(Buffer.from('p'));
    expect(sampleValue(await metrics(), 'x7_consumer_paused_partitions')).toBe(0);
  });

  it('dead-letters a record keyed by a string PostgreSQL cannot hold (a NUL), and the partition goes on', async () => {
    // The key is read before any record is (the batch's conversations are fetched at once).
    const key = Buffer.from(`c-nul-${randomUUID().slice(0, 8)}\u0000`);
    const message = messageOf({
      chatType: 'GLOBAL', channel: 'WEB', eventId: null, conversation: key.toString(), userId: 'u-eva', businessId: null,
      text: 'sushi near me', locale: 'en-GB', location: null, sentAtOffsetMs: 0, clientMessageId: null, senderRole: null, long: null,
    }, randomUUID().slice(0, 8), false);
    const [raw, event] = await produceWireRecords(config, [
      { key, value: Buffer.from('not avro'), headers: [] },
      { key, value: await codec.encode('chat.inbound', message), headers: [] },
    ]);
    await waitUntil(() => dlqCopiesOf(raw!).length > 0 && dlqCopiesOf(event!).length > 0, 30_000, 'both records in the DLQ');
    await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 30_000, 'offsets committed to the end');
    expect(String(dlqCopiesOf(raw!)[0]!.headers[DLQ_HEADERS.code])).toBe('WIRE_FORMAT');
    expect(String(dlqCopiesOf(event!)[0]!.headers[DLQ_HEADERS.field])).toBe('conversationId');
    expect(service.runtime.notReady()).toEqual([]);
  });

  it('dead-letters a record with a key of almost 1 MB exactly once (its copy keeps the key)', async () => {
    // The DLQ copy is partitioned by that key: kafkajs's own murmur2 took minutes on it,
    // past the group's session, and the record was dead-lettered twice.
    const key = Buffer.alloc(900_000, '😀');
    const [at] = await produceWireRecords(config, [{ key, value: Buffer.from('not avro'), headers: [] }]);
    await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 30_000, 'offsets committed to the end');
    await waitUntil(() => dlqCopiesOf(at!).length > 0, 30_000, 'the DLQ copy');
    await readers.dlq.waitFor(0, { settleMs: 1_500 });
    expect(dlqCopiesOf(at!)).toHaveLength(1);
    expect(dlqCopiesOf(at!)[0]!.key!.equals(key)).toBe(true);
  });

  it('answers a long text of emoji (its stored turn is cut between characters, never inside one)', async () => {
    // Found by the property below: the state keeps 500 UTF-16 units of a turn, and a cut
    // between an emoji's two halves left a lone surrogate that PostgreSQL's JSON refused,
    // pausing the partition for good.
    const message = messageOf({
      chatType: 'DEDICATED', channel: 'WEB', eventId: null, conversation: 'c-emoji', userId: 'u-diego', businessId: TABERNA,
      text: '😀'.repeat(400), locale: 'en-GB', location: null, sentAtOffsetMs: 0, clientMessageId: null, senderRole: null, long: null,
    }, randomUUID().slice(0, 8), true);
    await produceWireRecords(config, [{ key: Buffer.from(message.conversationId), value: await codec.encode('chat.inbound', message), headers: [] }]);
    await waitUntil(async () => (await factsOf(message.eventId)).length > 0, 30_000, 'the analytics fact of the message');
    await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 30_000, 'offsets committed to the end');
    expect(service.runtime.notReady()).toEqual([]);
  });

  it('reads a snappy-compressed batch (a codec kafkajs lacks): the broker stores chat.inbound uncompressed', async () => {
    // Java's and librdkafka's producers often compress with snappy, lz4 or zstd; kafkajs
    // crashed on such a batch (restart: false) and the partition stalled. topics.yaml
    // sets chat.inbound's compression.type to uncompressed, so the broker rewrites them.
    const message = messageOf({
      chatType: 'DEDICATED', channel: 'WEB', eventId: null, conversation: 'c-snappy', userId: 'u-diego', businessId: TABERNA,
      text: "what's on the menu?", locale: 'en-GB', location: null, sentAtOffsetMs: 0, clientMessageId: null, senderRole: null, long: null,
    }, randomUUID().slice(0, 8), true);
    const key = Buffer.from(message.conversationId);
    const [bad] = await produceWireRecords(config, [
      { key, value: Buffer.from('not avro'), headers: [] },
      { key, value: await codec.encode('chat.inbound', message), headers: [] },
    ], { compression: 'snappy' });
    await waitUntil(async () => (await factsOf(message.eventId)).length > 0, 30_000, 'the analytics fact of the compressed message');
    await waitUntil(() => dlqCopiesOf(bad!).length > 0, 30_000, 'the DLQ copy of the compressed garbage');
    expect((await outboundOf(message.eventId)).some((e) => e.body.type === 'Reply')).toBe(true);
    expect(service.runtime.notReady()).toEqual([]);
  });

  it('no generated mix of poison and good records stalls a partition: each ends answered or dead-lettered once', async () => {
    const failuresBefore = sum(await metrics(), 'x7_dependency_failures_total');
    let run = 0;
    await fc.assert(fc.asyncProperty(batchArb, async (batch) => {
      const nonce = `${++run}${randomUUID().slice(0, 6)}`;
      const records = await materialize(batch, nonce);
      const sent = await produceWireRecords(config, records.map((r) => r.record));
      const produced: Produced[] = records.map((r, i) => ({ ...r, at: sent[i]! }));

      // The group's committed offset reaches the end of every partition: nothing stalls.
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 60_000, 'offsets committed to the end').catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}; behind: ${JSON.stringify(await uncommitted(config))}; ${service.runtime.notReady().join('; ')}`);
      });
      // Committed means its outputs or DLQ copy are committed too: each record shows its fate.
      const fate = async (p: Produced) => dlqCopiesOf(p.at).length > 0 || (p.eventId !== null && (await factsOf(p.eventId)).length > 0);
      await waitUntil(async () => (await Promise.all(produced.map(fate))).every(Boolean), 30_000, 'every record answered or dead-lettered');
      // Long enough for a second copy of anything to show up.
      await readers.dlq.waitFor(0, { settleMs: 1_500 });

      const processedCount = new Map<string, number>();
      for (const p of produced) {
        const copies = dlqCopiesOf(p.at);
        const what = `${p.spec.spec.kind} record at ${p.at.partition}@${p.at.offset}`;
        expect(copies.length, `${what}: DLQ copies`).toBeLessThanOrEqual(1);
        if (copies.length === 1) {
          expect(p.expect, `${what} was dead-lettered: ${String(copies[0]!.headers[DLQ_HEADERS.code])} ${String(copies[0]!.headers[DLQ_HEADERS.message])}`).not.toBe('processed');
          checkDlqCopy(p, copies[0]!);
        } else {
          expect(['processed', 'either'], `${what} was answered`).toContain(p.expect);
          processedCount.set(p.eventId!, (processedCount.get(p.eventId!) ?? 0) + 1);
        }
      }
      // One analytics fact per answered record (an eventId sent twice and answered twice: two),
      // and what the user sees on chat.outbound.
      for (const [eventId, count] of processedCount) {
        expect((await factsOf(eventId)).length, `analytics facts of ${eventId}`).toBe(count);
        expect((await outboundOf(eventId)).length, `outbound events of ${eventId}`).toBeGreaterThanOrEqual(1);
      }
      const text = await metrics();
      expect(sampleValue(text, 'x7_consumer_paused_partitions'), 'paused partitions').toBe(0);
      // No partition was paused at all: nothing in a record may be taken for an outage.
      expect(sum(text, 'x7_dependency_failures_total'), 'dependency failures').toBe(failuresBefore);
    }), PROPERTY);

    // What an operator sees at the end: no lag on any partition, ready, nothing paused.
    await waitUntil(async () => {
      const lags = (await metrics()).split('\n').filter((l) => l.startsWith('x7_consumer_lag{'));
      return lags.length > 0 && lags.every((l) => l.endsWith(' 0'));
    }, 15_000, 'zero consumer lag');
    expect(service.runtime.notReady()).toEqual([]);
  }, 300_000);
});
