// The AsyncAPI 3.0.0 description of x7-stream's topics, generated from topics.yaml and
// schemas/*.avsc so it cannot say something the cluster and the registry do not.
// `buildAsyncApiDocument` is pure (topics and schemas in, document out) and
// `renderAsyncApiDocument` turns it into text; `x7 asyncapi` does the reading and writing.
import { stringify as stringifyYaml } from 'yaml';
import type { LogicalTopic } from '../events.js';
import { subjectFor, type TopicSpec } from '../kafka/topics.js';
import { DLQ_HEADERS } from '../pipeline/dlq.js';
import type { RejectionCode } from '../pipeline/rejection.js';

export const ASYNCAPI_VERSION = '3.0.0';
export const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro;version=1.9.0';
export const KAFKA_BINDING_VERSION = '0.5.0';
/** The id of the one server entry: the local broker of scripts/stack.sh. */
export const LOCAL_SERVER_ID = 'local';
const LOCAL_KAFKA = '127.0.0.1:9092';
const LOCAL_REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';

/** What x7-stream does with each topic it knows; a topic of topics.yaml not listed here gets a channel and no operation. */
export const TOPIC_DIRECTIONS: Record<LogicalTopic, 'receive' | 'send'> = {
  'chat.inbound': 'receive',
  'chat.outbound': 'send',
  'chat.workflows': 'send',
  'chat.analytics': 'send',
  'chat.inbound.dlq': 'send',
};

/** Every rejection code, in the order of the validation layers (exhaustive: a new code fails to compile until described). */
export const REJECTION_CODES: Record<RejectionCode, string> = {
  WIRE_FORMAT: 'the value is not in the Confluent wire format (magic byte 0, 4-byte schema id, Avro body)',
  UNKNOWN_SCHEMA: 'the schema id is not known to the registry',
  DECODE_ERROR: 'the body does not decode with the schema its id names',
  SCHEMA_MISMATCH: 'the value was written with a schema of another subject',
  INVALID_EVENT: 'the event decodes but breaks a rule of its chat type; x7.error.field names the field',
  PROCESSING_ERROR: 'the event was valid but its processor failed on it (not a dependency outage); replay it once the cause is fixed',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The AsyncAPI document as plain JSON data. */
export type AsyncApiDocument = JsonObject;

/** A topic's value schema is missing or is not an Avro record. */
export class AsyncApiBuildError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot describe the topics:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AsyncApiBuildError';
  }
}

/**
 * The AsyncAPI 3.0.0 document for `topics` (as loadTopics returns them).
 *
 * `schemasByPath` maps each topic's `value.schema`, as written in topics.yaml (e.g.
 * `schemas/ChatMessage.avsc`), to the parsed contents of that .avsc file; `version`
 * is the project's version (package.json).
 */
export function buildAsyncApiDocument(
  topics: readonly TopicSpec[],
  schemasByPath: Readonly<Record<string, unknown>>,
  version: string,
): AsyncApiDocument {
  const problems: string[] = [];
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const channelIdOf = new Map<string, string>();

  for (const topic of topics) {
    const channelId = channelIdFor(topic.name);
    const clash = [...channelIdOf].find(([, id]) => id === channelId);
    if (clash) {
      problems.push(`topics ${clash[0]} and ${topic.name} would both be channel "${channelId}"; rename one`);
      continue;
    }
    channelIdOf.set(topic.name, channelId);

    let message: { id: string; body: JsonObject };
    if (topic.value) {
      const schema = schemasByPath[topic.value.schema];
      const problem = recordProblem(schema);
      if (problem) {
        problems.push(`topics.${topic.name}.value.schema (${topic.value.schema}): ${problem}`);
        continue;
      }
      message = avroMessage(topic, schema as AvroRecord);
    } else {
      message = rawMessage(topic, topics);
    }

    channels[channelId] = {
      address: topic.name,
      title: topic.name,
      description: channelDescription(topic),
      servers: [{ $ref: `#/servers/${LOCAL_SERVER_ID}` }],
      messages: { [message.id]: message.body },
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          replicas: topic.replicationFactor,
          topicConfiguration: {
            'cleanup.policy': topic.cleanupPolicy.split(','),
            'retention.ms': topic.retentionMs,
            ...(topic.maxMessageBytes ? { 'max.message.bytes': topic.maxMessageBytes } : {}),
          },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };

    const direction = (TOPIC_DIRECTIONS as Record<string, 'receive' | 'send' | undefined>)[topic.name];
    if (direction) {
      operations[`${direction}${capitalize(channelId)}`] = operation(direction, topic, channelId, message.id);
    }
  }
  if (problems.length > 0) throw new AsyncApiBuildError(problems);

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'x7-stream',
      version,
      description: [
        'The Kafka topics of x7-stream, the streaming backbone of X-Seven: chat messages come in on',
        '`chat.inbound`; replies, status and workflow updates go out on `chat.outbound`, workflow',
        'lifecycle on `chat.workflows`, one analytics fact per processed message on `chat.analytics`,',
        'and rejected inbound events on `chat.inbound.dlq`.',
        '',
        '**Producers** publish `ChatMessage` events to `chat.inbound`, keyed by conversationId.',
        '**Analytics consumers** read `chat.outbound`, `chat.workflows` and `chat.analytics` with any',
        'Kafka client and the schema registry.',
        '',
        'Values are Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro',
        'body). Subjects follow the TopicNameStrategy (`<topic>-value`), and each subject\'s compatibility',
        'level is given on its message (`x-x7-compatibility`). An event that does not frame, decode or',
        'validate is never defaulted: it goes to the dead-letter topic with the reason in `x7.*` headers.',
        '',
        'Addresses are the logical topic names from topics.yaml. A deployment that sets',
        '`X7_TOPIC_PREFIX` puts that prefix before every topic and subject name.',
        '',
        'Generated by `x7 asyncapi` from topics.yaml and schemas/*.avsc; do not edit by hand.',
      ].join('\n'),
    },
    defaultContentType: 'application/octet-stream',
    servers: {
      [LOCAL_SERVER_ID]: {
        host: LOCAL_KAFKA,
        protocol: 'kafka',
        title: 'Local Kafka',
        description: [
          'The local development broker (`npm run stack:up`), with its schema registry',
          `(Apicurio Registry, Confluent-compatible API) at ${LOCAL_REGISTRY}.`,
          'Addresses differ per deployment: use the brokers in `KAFKA_BROKERS` and the registry in',
          '`SCHEMA_REGISTRY_URL` of the environment you connect to.',
        ].join('\n'),
        bindings: {
          kafka: {
            schemaRegistryUrl: LOCAL_REGISTRY,
            schemaRegistryVendor: 'apicurio',
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      },
    },
    channels,
    operations,
  };
}

/** The document as YAML (with a do-not-edit comment) or as pretty-printed JSON. */
export function renderAsyncApiDocument(document: AsyncApiDocument, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  const header = [
    '# Generated by `x7 asyncapi --out docs/asyncapi.yaml` from topics.yaml and schemas/*.avsc.',
    '# Do not edit by hand: change those files and generate it again.',
  ].join('\n');
  return `${header}\n${stringifyYaml(document, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
}

/** AsyncAPI channel ids allow only letters, digits, "_" and "-": chat.inbound.dlq -> chatInboundDlq. */
export function channelIdFor(topic: string): string {
  const [first = '', ...rest] = topic.split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
  return first + rest.map(capitalize).join('');
}

interface AvroRecord {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: unknown[];
}

function recordProblem(schema: unknown): string | null {
  if (schema === undefined) return 'no schema was given for it';
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'expected an Avro record schema (a JSON object)';
  const s = schema as Record<string, unknown>;
  if (s.type !== 'record') return `expected an Avro record (got type ${JSON.stringify(s.type)})`;
  if (typeof s.name !== 'string' || s.name === '') return 'the record has no name';
  if (!Array.isArray(s.fields)) return 'the record has no fields';
  return null;
}

function avroMessage(topic: TopicSpec, record: AvroRecord): { id: string; body: JsonObject } {
  const value = topic.value!;
  const fullName = record.name.includes('.') || !record.namespace ? record.name : `${record.namespace}.${record.name}`;
  const shortName = record.name.split('.').pop()!;
  return {
    id: shortName,
    body: {
      name: shortName,
      title: fullName,
      summary: `${fullName} on ${topic.name}, keyed by ${topic.key}.`,
      description: [
        record.doc ?? `A ${shortName}.`,
        '',
        `The value is Avro in the Confluent wire format: magic byte 0, the 4-byte big-endian id under which the schema is registered in subject \`${subjectFor(topic.name)}\`, then the Avro body. Compatibility of the subject: ${value.compatibility}.`,
      ].join('\n'),
      contentType: 'application/octet-stream',
      headers: headersSchema({ traceparent: traceparentHeader() }, []),
      payload: {
        schemaFormat: AVRO_SCHEMA_FORMAT,
        // A deep copy: the document owns its data and YAML output gets no anchors.
        schema: structuredClone(record) as unknown as JsonObject,
      },
      bindings: {
        kafka: {
          key: keySchema(topic),
          schemaIdLocation: 'payload',
          schemaIdPayloadEncoding: 'confluent',
          schemaLookupStrategy: 'TopicNameStrategy',
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
      'x-x7-subject': subjectFor(topic.name),
      'x-x7-compatibility': value.compatibility,
      'x-x7-schema-file': value.schema,
    },
  };
}

/** A topic without a value schema keeps raw bytes; a `.dlq` topic is a dead-letter topic with the x7.* reason headers. */
function rawMessage(topic: TopicSpec, all: readonly TopicSpec[]): { id: string; body: JsonObject } {
  const isDlq = topic.name.endsWith('.dlq');
  const source = isDlq ? all.find((t) => t.name === topic.name.slice(0, -'.dlq'.length)) : undefined;
  const normally = source?.value
    ? ` Normally that is a ${source.value.schema.split('/').pop()!.replace(/\.avsc$/, '')} in the Confluent wire format from ${source.name}, but it may be anything: not being one is a reason to be here.`
    : '';
  const payload: JsonObject = {
    type: 'string',
    format: 'binary',
    description: isDlq
      ? `The rejected record's value, byte for byte as it arrived (absent if it had none).${normally}`
      : 'The record value, raw bytes without a schema.',
  };
  if (!isDlq) {
    return {
      id: `${capitalize(channelIdFor(topic.name))}Record`,
      body: {
        name: `${capitalize(channelIdFor(topic.name))}Record`,
        title: `Record on ${topic.name}`,
        contentType: 'application/octet-stream',
        headers: headersSchema({ traceparent: traceparentHeader() }, []),
        payload,
        bindings: { kafka: { key: keySchema(topic), bindingVersion: KAFKA_BINDING_VERSION } },
      },
    };
  }
  const codes = Object.entries(REJECTION_CODES);
  return {
    id: 'DeadLetter',
    body: {
      name: 'DeadLetter',
      title: `Rejected event${source ? ` from ${source.name}` : ''}`,
      summary: 'An event x7-stream rejected: the original key, value and headers, with the reason in x7.* headers.',
      description: [
        'The rejected record as it came: its key, value and header values byte for byte, so `x7 dlq replay`',
        'can send it again unchanged once the cause is fixed. x7-stream adds the reason and the source',
        'coordinates as `x7.*` headers (UTF-8 text), each exactly once. The `x7.*` names are x7-stream\'s',
        'alone: a header the record came with whose name starts with `x7.` (a producer\'s own, or the',
        '`x7.replay.of` of a record `x7 dlq replay` sent back) is renamed `x7.original.<rest>`, its value',
        'byte for byte (`x7.error.code` becomes `x7.original.error.code`; `x7.original.error.code` becomes',
        '`x7.original.original.error.code`). Every other header keeps its name. A header without a value',
        '(null) comes back with an empty value: kafkajs, x7-stream\'s Kafka client, cannot write null ones.',
        '',
        '`x7 dlq replay` sends a copy back to its `x7.source.topic` as it arrived: the headers named',
        '`x7.original.<rest>` as `x7.<rest>` again, the others named `x7.*` left behind, plus `x7.replay.of`.',
        'A copy carrying `x7.original.replay.of` failed again after a replay; the next replay skips it unless',
        'given `--include-replayed`, so no record loops.',
        '',
        'Reasons (`x7.error.code`):',
        ...codes.map(([code, meaning]) => `- \`${code}\`: ${meaning}`),
      ].join('\n'),
      contentType: 'application/octet-stream',
      headers: headersSchema(
        {
          [DLQ_HEADERS.code]: {
            type: 'string',
            enum: codes.map(([code]) => code),
            description: 'Why the event was rejected.',
          },
          [DLQ_HEADERS.message]: { type: 'string', description: 'The reason, for people.' },
          [DLQ_HEADERS.field]: {
            type: 'string',
            description: 'The offending field as a dotted path (e.g. `businessId`), or empty when the problem is not one field\'s.',
          },
          [DLQ_HEADERS.sourceTopic]: { type: 'string', description: 'The topic the event was read from (with any X7_TOPIC_PREFIX).' },
          [DLQ_HEADERS.sourcePartition]: { type: 'string', pattern: '^[0-9]+$', description: 'Its partition, in decimal.' },
          [DLQ_HEADERS.sourceOffset]: { type: 'string', pattern: '^[0-9]+$', description: 'Its offset, in decimal.' },
          [DLQ_HEADERS.failedAt]: { type: 'string', format: 'date-time', description: 'When it was rejected (ISO-8601, UTC).' },
          traceparent: traceparentHeader(),
        },
        Object.values(DLQ_HEADERS),
        'The original record\'s headers are kept next to these, those named `x7.*` renamed `x7.original.*`.',
      ),
      payload,
      bindings: { kafka: { key: keySchema(topic), bindingVersion: KAFKA_BINDING_VERSION } },
    },
  };
}

function headersSchema(properties: Record<string, JsonObject>, required: string[], note?: string): JsonObject {
  const schema: JsonObject = {
    type: 'object',
    description: `Kafka record headers (values are UTF-8 text).${note ? ` ${note}` : ''}`,
    properties,
  };
  if (required.length > 0) schema.required = required;
  return schema;
}

function traceparentHeader(): JsonObject {
  return {
    type: 'string',
    pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
    description: 'W3C Trace Context `traceparent`. Optional on chat.inbound (the processor starts a trace when it is absent); x7-stream puts the trace of the causing inbound event on every outbound, analytics and workflow record. Kept as it came on a dead-lettered copy.',
  };
}

const KEY_MEANINGS: Record<string, string> = {
  conversationId: 'the conversationId. All events of a conversation share a partition and stay in order.',
  workflowId: 'the workflowId. All events of a workflow share a partition and stay in order.',
  'original key': 'the original key of the rejected record, byte for byte (normally its conversationId; absent if it had none).',
};

function keySchema(topic: TopicSpec): JsonObject {
  const meaning = KEY_MEANINGS[topic.key] ?? (topic.key ? `the ${topic.key}.` : 'not specified in topics.yaml.');
  return { type: 'string', description: `The record key, UTF-8 text: ${meaning}` };
}

function channelDescription(topic: TopicSpec): string {
  const what = topic.description ? `${capitalize(topic.description)}.` : `The ${topic.name} topic.`;
  const retentionDays = topic.retentionMs / 86_400_000;
  const retention = topic.retentionMs === -1
    ? 'kept without a time limit'
    : Number.isInteger(retentionDays) ? `kept ${retentionDays} day${retentionDays === 1 ? '' : 's'}` : `kept ${topic.retentionMs} ms`;
  return `${what} Key: ${topic.key || 'not specified'}. ${topic.partitions} partitions, ${retention} (cleanup policy ${topic.cleanupPolicy}).`;
}

const BY_PROCESSOR = 'the processor (`x7 processor`), in one Kafka transaction with the offset of the inbound event it answers';
const OPERATION_NOTES: Record<LogicalTopic, string> = {
  'chat.inbound': 'The processor (`x7 processor`, consumer group X7_CONSUMER_GROUP, default x7-processor) reads every event, in order per partition. Producers and the WebSocket bridge (`x7 bridge`) publish here, and `x7 dlq replay` sends dead-lettered records back here as they arrived, with an `x7.replay.of` header (`<dlq topic>-<partition>-<offset>` of the DLQ copy); an eventId the processor already applied is answered with its stored outputs, the same events again.',
  'chat.outbound': `Written by ${BY_PROCESSOR}, and by the workflow worker (\`x7 worker\`) for workflow updates. An inbound event that decoded but was dead-lettered (INVALID_EVENT, PROCESSING_ERROR) gets one ErrorNotice for its conversation, in the transaction of its DLQ copy: code = x7.error.code, field = x7.error.field, a short message in the user's terms that never quotes the event, causationId = the inbound eventId, and an eventId derived from it (the same on a retry or a replay that fails again). A record that did not decode names no conversation and gets none.`,
  'chat.workflows': 'Written by the workflow worker (`x7 worker`) as workflows change state, together with the matching WorkflowUpdate on chat.outbound. A retried activity writes the same event again with the same eventId: deduplicate by eventId.',
  'chat.analytics': `Written by ${BY_PROCESSOR}: one fact per processed message.`,
  'chat.inbound.dlq': `Written by ${BY_PROCESSOR}, for each event it rejects, with the ErrorNotice its conversation gets when the event decoded. Read by \`x7 dlq inspect\` and \`x7 dlq replay\`.`,
};

function operation(direction: 'receive' | 'send', topic: TopicSpec, channelId: string, messageId: string): JsonObject {
  const summary = direction === 'receive'
    ? `x7-stream consumes ${topic.name}.`
    : `x7-stream produces to ${topic.name}.`;
  const op: JsonObject = {
    action: direction,
    channel: { $ref: `#/channels/${channelId}` },
    summary,
    messages: [{ $ref: `#/channels/${channelId}/messages/${messageId}` }],
  };
  const note = (OPERATION_NOTES as Record<string, string | undefined>)[topic.name];
  if (note) op.description = note;
  if (direction === 'receive') {
    op.bindings = {
      kafka: {
        groupId: { type: 'string', description: 'X7_CONSUMER_GROUP (default x7-processor).' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    };
  }
  return op;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
