// The AsyncAPI document: valid for the AsyncAPI parser (with the Avro schema parser),
// true to topics.yaml and schemas/, and the committed docs/asyncapi.yaml never drifts.
import { readFileSync } from 'node:fs';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AsyncApiBuildError,
  AVRO_SCHEMA_FORMAT,
  buildAsyncApiDocument,
  channelIdFor,
  renderAsyncApiDocument,
  type AsyncApiDocument,
} from '../../src/asyncapi/document.js';
import { readAsyncApiSources } from '../../src/asyncapi/sources.js';
import type { TopicSpec } from '../../src/kafka/topics.js';
import { DLQ_HEADERS } from '../../src/pipeline/dlq.js';
import { projectPath } from '../../src/paths.js';

const sources = readAsyncApiSources();
const generated = buildAsyncApiDocument(sources.topics, sources.schemasByPath, sources.version);

interface AvroRecord { name: string; namespace?: string; fields: { name: string }[] }

async function parse(text: string) {
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  return parser.parse(text);
}

describe('the generated AsyncAPI document', () => {
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await parse(renderAsyncApiDocument(generated, 'yaml'));
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(parsed).toBeDefined();
    document = parsed!;
  });

  it('is AsyncAPI 3.0.0 for x7-stream at the package.json version, with the local Kafka server', () => {
    const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string };
    expect(document.version()).toBe('3.0.0');
    expect(document.info().title()).toBe('x7-stream');
    expect(document.info().version()).toBe(pkg.version);
    expect(document.info().description()).toMatch(/Producers/);
    expect(document.info().description()).toMatch(/Analytics consumers/);
    const servers = document.servers().all();
    expect(servers).toHaveLength(1);
    expect(servers[0]!.protocol()).toBe('kafka');
    expect(servers[0]!.host()).toBe('127.0.0.1:9092');
    expect(servers[0]!.description()).toMatch(/differ per deployment/);
  });

  it('has one channel per topic of topics.yaml, with its Kafka settings', () => {
    expect(document.channels().all().map((c) => c.address()).sort()).toEqual(sources.topics.map((t) => t.name).sort());
    for (const topic of sources.topics) {
      const channel = document.channels().all().find((c) => c.address() === topic.name)!;
      expect(channel.description()).toContain(topic.description.slice(1));
      expect(channel.bindings().get('kafka')!.value()).toEqual({
        topic: topic.name,
        partitions: topic.partitions,
        replicas: topic.replicationFactor,
        topicConfiguration: {
          'cleanup.policy': topic.cleanupPolicy.split(','),
          'retention.ms': topic.retentionMs,
          ...(topic.maxMessageBytes ? { 'max.message.bytes': topic.maxMessageBytes } : {}),
        },
      });
    }
    // The size limits of topics.yaml reach other teams too.
    const dlq = document.channels().all().find((c) => c.address() === 'chat.inbound.dlq')!;
    expect((dlq.bindings().get('kafka')!.value() as { topicConfiguration: Record<string, unknown> }).topicConfiguration['max.message.bytes']).toBe(2097152);
  });

  it('gives each topic with a value schema its Avro record as the message payload', () => {
    const withValue = sources.topics.filter((t): t is TopicSpec & { value: NonNullable<TopicSpec['value']> } => t.value !== null);
    expect(withValue.map((t) => t.name)).toEqual(['chat.inbound', 'chat.outbound', 'chat.workflows', 'chat.analytics']);
    for (const topic of withValue) {
      const avsc = JSON.parse(readFileSync(topic.value.schemaPath, 'utf8')) as AvroRecord;
      const messages = document.channels().all().find((c) => c.address() === topic.name)!.messages().all();
      expect(messages).toHaveLength(1);
      const payload = messages[0]!.payload()!;
      expect(messages[0]!.schemaFormat()).toBe(AVRO_SCHEMA_FORMAT);
      expect(payload.id()).toBe(`${avsc.namespace}.${avsc.name}`);
      expect((payload.json() as Record<string, unknown>)['x-parser-original-payload']).toEqual(avsc);
      // The Avro schema parser turned the record into JSON Schema, field for field.
      const converted = (payload.json() as { schema?: { type?: string; properties?: Record<string, unknown> } }).schema;
      expect(converted?.type).toBe('object');
      expect(Object.keys(converted?.properties ?? {})).toEqual(avsc.fields.map((f) => f.name));
      expect(messages[0]!.extensions().get('x-x7-subject')!.value()).toBe(`${topic.name}-value`);
      expect(messages[0]!.extensions().get('x-x7-compatibility')!.value()).toBe(topic.value.compatibility);
    }
  });

  it('describes every key as a string named after topics.yaml\'s key, and traceparent on every message', () => {
    for (const channel of document.channels().all()) {
      const message = channel.messages().all()[0]!;
      const key = message.bindings().get('kafka')!.value().key as { type: string; description: string };
      const topic = sources.topics.find((t) => t.name === channel.address())!;
      expect(key.type).toBe('string');
      expect(key.description).toContain(topic.key === 'original key' ? 'original key' : topic.key);
      expect(Object.keys(message.headers()!.properties() ?? {})).toContain('traceparent');
    }
    const keyOf = (address: string) => (document.channels().all().find((c) => c.address() === address)!.messages().all()[0]!
      .bindings().get('kafka')!.value().key as { description: string }).description;
    expect(keyOf('chat.inbound')).toMatch(/conversationId/);
    expect(keyOf('chat.workflows')).toMatch(/workflowId/);
  });

  it('describes the DLQ record: the original bytes, and the x7.* reason headers with every rejection code', () => {
    const message = document.channels().all().find((c) => c.address() === 'chat.inbound.dlq')!.messages().all()[0]!;
    expect(message.payload()!.type()).toBe('string');
    expect(message.payload()!.format()).toBe('binary');
    expect(message.payload()!.description()).toMatch(/byte for byte/);
    const headers = message.headers()!;
    expect(Object.keys(headers.properties() ?? {})).toEqual(expect.arrayContaining([...Object.values(DLQ_HEADERS), 'traceparent']));
    expect(headers.required()).toEqual(Object.values(DLQ_HEADERS));
    expect(headers.properties()?.['x7.error.code']?.enum()).toEqual([
      'WIRE_FORMAT', 'UNKNOWN_SCHEMA', 'DECODE_ERROR', 'SCHEMA_MISMATCH', 'INVALID_EVENT', 'PROCESSING_ERROR',
    ]);
  });

  it('has x7-stream receive chat.inbound and send the other topics', () => {
    const operations = document.operations().all().map((o) => [o.action(), o.channels().all().map((c) => c.address())]);
    expect(operations).toEqual([
      ['receive', ['chat.inbound']],
      ['send', ['chat.outbound']],
      ['send', ['chat.workflows']],
      ['send', ['chat.analytics']],
      ['send', ['chat.inbound.dlq']],
    ]);
    for (const operation of document.operations().all()) {
      expect(operation.messages().all().map((m) => m.id())).toEqual(operation.channels().all()[0]!.messages().all().map((m) => m.id()));
    }
  });

  it('is also valid as JSON, and the same document', async () => {
    const json = renderAsyncApiDocument(generated, 'json');
    expect(JSON.parse(json)).toEqual(generated);
    const { diagnostics } = await parse(json);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
  });
});

describe('docs/asyncapi.yaml', () => {
  it('is what the generator makes today (regenerate: npm run build && node bin/x7.js asyncapi --out docs/asyncapi.yaml)', () => {
    const committed = readFileSync(projectPath('docs/asyncapi.yaml'), 'utf8');
    expect(committed, 'docs/asyncapi.yaml is out of date; regenerate it with `x7 asyncapi --out docs/asyncapi.yaml`')
      .toBe(renderAsyncApiDocument(generated, 'yaml'));
  });
});

describe('buildAsyncApiDocument', () => {
  const record = { type: 'record', name: 'Thing', namespace: 'ai.x7.test', fields: [{ name: 'id', type: 'string' }] };
  const topic = (name: string, schema: string | null): TopicSpec => ({
    name, description: 'things', key: 'thingId', partitions: 2, replicationFactor: 1, retentionMs: 3_600_000, cleanupPolicy: 'compact,delete',
    value: schema === null ? null : { schema, schemaPath: `/elsewhere/${schema}`, compatibility: 'FULL' },
  });
  const problemsOf = (build: () => unknown): string[] => {
    try {
      build();
    } catch (error) {
      expect(error).toBeInstanceOf(AsyncApiBuildError);
      return (error as AsyncApiBuildError).problems;
    }
    throw new Error('expected an AsyncApiBuildError');
  };

  it('is pure: schemas are looked up by the path as written in topics.yaml, and not shared with the document', () => {
    const schemas = { 'schemas/Thing.avsc': structuredClone(record) };
    const doc = buildAsyncApiDocument([topic('things', 'schemas/Thing.avsc')], schemas, '9.9.9') as AsyncApiDocument & {
      channels: Record<string, { bindings: { kafka: { topicConfiguration: Record<string, unknown> } }; messages: Record<string, { payload: { schema: unknown } }> }>;
    };
    expect(doc.channels.things!.bindings.kafka.topicConfiguration).toEqual({ 'cleanup.policy': ['compact', 'delete'], 'retention.ms': 3_600_000 });
    expect(doc.channels.things!.messages.Thing!.payload.schema).toEqual(record);
    expect(doc.channels.things!.messages.Thing!.payload.schema).not.toBe(schemas['schemas/Thing.avsc']);
    // A topic x7-stream has no code for is described, with no operation.
    expect(doc.operations).toEqual({});
    expect(buildAsyncApiDocument([topic('things', 'schemas/Thing.avsc')], schemas, '9.9.9')).toEqual(doc);
  });

  it('refuses a missing schema, a schema that is not a record, and topics that would share a channel id', () => {
    expect(problemsOf(() => buildAsyncApiDocument([topic('a', 'schemas/Missing.avsc')], {}, '1.0.0'))).toEqual([
      'topics.a.value.schema (schemas/Missing.avsc): no schema was given for it',
    ]);
    expect(problemsOf(() => buildAsyncApiDocument([topic('a', 's.avsc')], { 's.avsc': { type: 'enum', name: 'E', symbols: ['X'] } }, '1.0.0'))).toEqual([
      'topics.a.value.schema (s.avsc): expected an Avro record (got type "enum")',
    ]);
    expect(problemsOf(() => buildAsyncApiDocument([topic('a.b', null), topic('a_b', null)], {}, '1.0.0'))).toEqual([
      'topics a.b and a_b would both be channel "aB"; rename one',
    ]);
  });

  it('makes AsyncAPI channel ids from topic names', () => {
    expect(channelIdFor('chat.inbound')).toBe('chatInbound');
    expect(channelIdFor('chat.inbound.dlq')).toBe('chatInboundDlq');
    expect(channelIdFor('orders-v2_raw')).toBe('ordersV2Raw');
  });
});
