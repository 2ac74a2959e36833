// `x7 produce`: publishes one event, encoded and validated like any producer's, or
// (with --raw) arbitrary bytes to see how the processor rejects them.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IHeaders } from 'kafkajs';
import { createCodec } from '../../codec/index.js';
import { loadConfig, type Config } from '../../config.js';
import { LOGICAL_TOPICS, type LogicalTopic, type TopicValues, type ValueTopic } from '../../events.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../kafka/client.js';
import { topicName } from '../../kafka/topics.js';
import { chatMessageFromFlags, eventFromJson, CHAT_MESSAGE_FLAG_NAMES, type ChatMessageFlags } from '../chat-message-flags.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { commandLogger, commandLogLevel, print, progress } from '../io.js';

const OPTIONS = {
  topic: { type: 'string' },
  file: { type: 'string' },
  key: { type: 'string' },
  header: { type: 'string', multiple: true },
  raw: { type: 'boolean' },
  value: { type: 'string' },
  'value-file': { type: 'string' },
  hex: { type: 'string' },
  'chat-type': { type: 'string' },
  conversation: { type: 'string' },
  user: { type: 'string' },
  business: { type: 'string' },
  text: { type: 'string' },
  channel: { type: 'string' },
  locale: { type: 'string' },
  lat: { type: 'string' },
  lon: { type: 'string' },
  'event-id': { type: 'string' },
  'sent-at': { type: 'string' },
  'client-message-id': { type: 'string' },
  'sender-role': { type: 'string' },
} as const;

type Options = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

/** The Kafka key of each value topic's records (topics.yaml `key`). */
const KEY_FIELD: Record<ValueTopic, string> = {
  'chat.inbound': 'conversationId',
  'chat.outbound': 'conversationId',
  'chat.workflows': 'workflowId',
  'chat.analytics': 'conversationId',
};

interface Outgoing {
  key: string | Buffer | null;
  value: Buffer;
  headers: IHeaders;
  eventId?: string;
}

export const produceCommand: Command = {
  help: [
    'usage: x7 produce --chat-type TYPE --conversation ID --user ID [--business ID] --text TEXT [options]',
    '       x7 produce [--topic TOPIC] --file event.json',
    '       x7 produce --raw [--topic TOPIC] [--key KEY] (--value TEXT | --value-file FILE | --hex HEX)',
    '',
    'Publishes one ChatMessage to chat.inbound (or another event to --topic), validated',
    'against its schema and encoded with the registered schema id. Prints the eventId,',
    'topic, partition and offset as one JSON line.',
    '',
    'event flags:',
    '  --chat-type DEDICATED|DASHBOARD|GLOBAL   --conversation ID   --user ID   --business ID',
    '  --text TEXT   --channel WEB|MOBILE|VOICE|SMS (default WEB)   --locale TAG (default en-GB)',
    '  --lat N --lon N   --event-id UUID (default: a new one)   --sent-at ISO|ms (default: now)',
    '  --client-message-id ID   --sender-role USER|STAFF (default: none, read as USER; STAFF: a member',
    '  answering a handed-off DEDICATED conversation)',
    'other options:',
    '  --topic T         logical topic: chat.inbound (default), chat.outbound, chat.workflows, chat.analytics, chat.inbound.dlq',
    '  --file F          the event as JSON (times as ISO text or epoch ms); nothing missing is filled in',
    '  --key K           record key (default: the event\'s key field, e.g. conversationId)',
    '  --header k=v      a record header (repeatable)',
    '  --raw             send the bytes of --value, --value-file or --hex as they are, unvalidated',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
    const flags = values as Options;
    const logical = (flags.topic ?? 'chat.inbound') as LogicalTopic;
    if (!LOGICAL_TOPICS.includes(logical)) throw new UsageError(`--topic must be one of ${LOGICAL_TOPICS.join(', ')} (got ${JSON.stringify(flags.topic)})`);
    const headers = parseHeaders(flags.header ?? []);
    const config = loadConfig();

    const outgoing = flags.raw ? rawRecord(flags, headers) : await encodedRecord(config, logical, flags, headers);
    const topic = topicName(config, logical);
    const kafka = createKafka({ ...config, logLevel: commandLogLevel(config) }, 'produce', commandLogger('x7-produce', config));
    const producer = kafka.producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER, idempotent: true, maxInFlightRequests: 1 });
    progress(`producing to ${topic}`);
    await producer.connect();
    try {
      const [meta] = await producer.send({ topic, acks: -1, messages: [outgoing] });
      print(JSON.stringify({ eventId: outgoing.eventId ?? null, topic, partition: meta?.partition, offset: meta?.baseOffset }));
      return 0;
    } finally {
      await producer.disconnect();
    }
  },
};

function parseHeaders(items: string[]): IHeaders {
  const headers: IHeaders = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--header must be name=value (got ${JSON.stringify(item)})`);
    headers[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return headers;
}

function rawRecord(flags: Options, headers: IHeaders): Outgoing {
  const sources = [flags.value, flags['value-file'], flags.hex].filter((v) => v !== undefined);
  if (sources.length !== 1) throw new UsageError('--raw needs exactly one of --value, --value-file or --hex');
  let value: Buffer;
  if (flags.value !== undefined) value = Buffer.from(flags.value, 'utf8');
  else if (flags['value-file'] !== undefined) value = readFileSync(flags['value-file']);
  else {
    const hex = flags.hex!.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError('--hex must be pairs of hex digits');
    value = Buffer.from(hex, 'hex');
  }
  return { key: flags.key ?? null, value, headers };
}

async function encodedRecord(config: Config, logical: LogicalTopic, flags: Options, headers: IHeaders): Promise<Outgoing> {
  if (logical === 'chat.inbound.dlq') throw new UsageError('the DLQ has no schema: use --raw to write to it');
  if (flags.value !== undefined || flags['value-file'] !== undefined || flags.hex !== undefined) {
    throw new UsageError('--value, --value-file and --hex go with --raw');
  }
  const eventFlags = CHAT_MESSAGE_FLAG_NAMES.filter((name) => flags[name] !== undefined);
  let event: Record<string, unknown>;
  if (flags.file !== undefined) {
    if (eventFlags.length > 0) throw new UsageError(`--file gives the whole event; drop ${eventFlags.map((f) => `--${f}`).join(', ')}`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(flags.file, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read --file ${flags.file}: ${(error as Error).message}`);
    }
    event = eventFromJson(json);
  } else {
    if (logical !== 'chat.inbound') throw new UsageError(`events for ${logical} come from --file`);
    event = chatMessageFromFlags(flags as ChatMessageFlags, () => new Date(), randomUUID) as unknown as Record<string, unknown>;
  }
  // An invalid event fails here with InvalidValueError naming the field(s); nothing is sent.
  const value = await createCodec(config).encode(logical as ValueTopic, event as unknown as TopicValues[ValueTopic]);
  const keyField = event[KEY_FIELD[logical as ValueTopic]];
  const key = flags.key ?? (typeof keyField === 'string' ? keyField : null);
  return { key, value, headers, eventId: typeof event.eventId === 'string' ? event.eventId : undefined };
}
