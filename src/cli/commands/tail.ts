// `x7 tail TOPIC`: follows a topic and prints each record decoded, one JSON line each.
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { BadDataError, createCodec, type EventCodec } from '../../codec/index.js';
import { loadConfig } from '../../config.js';
import { LOGICAL_TOPICS, type LogicalTopic, type ValueTopic } from '../../events.js';
import { createKafka } from '../../kafka/client.js';
import { headersAsText, keyAsText, timestampAsIso } from '../../kafka/records.js';
import { assertTopicExists, topicName } from '../../kafka/topics.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { commandLogger, commandLogLevel, print, progress } from '../io.js';

const OPTIONS = {
  'from-beginning': { type: 'boolean' },
  max: { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

export const tailCommand: Command = {
  help: [
    'usage: x7 tail TOPIC [--from-beginning] [--max N] [--timeout-ms MS]',
    '',
    'Prints the records of a logical topic (chat.inbound, chat.outbound, chat.workflows,',
    'chat.analytics, chat.inbound.dlq) as JSON lines: topic, partition, offset, key, headers,',
    'timestamp and the decoded value. OutboundEvent bodies carry "type" (StatusUpdate, Reply,',
    'WorkflowUpdate, ErrorNotice). DLQ values are raw bytes, printed as base64. A record that',
    'does not decode is printed with "error" and its bytes as base64. Only committed records',
    'are shown. Starts at the end unless --from-beginning; runs until Ctrl-C, --max records',
    'or --timeout-ms without a new record.',
  ].join('\n'),

  async run(args) {
    const { values, positionals } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: true }>(args, {
      options: OPTIONS,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one TOPIC');
    const logical = positionals[0] as LogicalTopic;
    if (!LOGICAL_TOPICS.includes(logical)) throw new UsageError(`TOPIC must be one of ${LOGICAL_TOPICS.join(', ')} (got ${JSON.stringify(positionals[0])})`);
    const max = optionalCount('--max', values.max);
    const idleMs = optionalCount('--timeout-ms', values['timeout-ms']);

    const config = loadConfig();
    const topic = topicName(config, logical);
    const codec = logical === 'chat.inbound.dlq' ? undefined : createCodec(config);
    const kafka = createKafka({ ...config, logLevel: commandLogLevel(config) }, 'tail', commandLogger('x7-tail', config));

    const admin = kafka.admin();
    await admin.connect();
    try {
      await assertTopicExists(admin, topic);
    } finally {
      await admin.disconnect();
    }

    // A group of its own that commits nothing: it never moves anyone's offsets and
    // disappears when tail exits.
    const consumer = kafka.consumer({ groupId: `${config.topicPrefix}x7-tail-${randomUUID()}`, readUncommitted: false });
    let printed = 0;
    let stop: (reason: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const onSignal = () => stop('signal');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (idleMs === undefined) return;
      clearTimeout(idle);
      idle = setTimeout(() => stop('idle'), idleMs);
    };
    let failure: Error | undefined;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      failure = payload.error;
      stop('crash');
    });

    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: values['from-beginning'] === true });
      progress(`tailing ${topic}${values['from-beginning'] ? ' from the beginning' : ''} (Ctrl-C to stop)`);
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (failure || (max !== undefined && printed >= max)) return;
          let line: Record<string, unknown>;
          try {
            line = await recordLine(codec, logical, topic, partition, message);
          } catch (error) {
            // The registry is down: stop with its message rather than let kafkajs retry
            // the record for a minute; a tail that skipped records would mislead.
            failure = error as Error;
            stop('error');
            return;
          }
          print(JSON.stringify(line));
          printed += 1;
          armIdle();
          if (max !== undefined && printed >= max) stop('max');
        },
      });
      armIdle();
      await stopped;
    } finally {
      clearTimeout(idle);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await consumer.disconnect();
    }
    if (failure) throw failure;
    progress(`${printed} record(s)`);
    return 0;
  },
};

function optionalCount(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a whole number of at least 1 (got ${JSON.stringify(text)})`);
  return Number(text);
}

async function recordLine(codec: EventCodec | undefined, logical: LogicalTopic, topic: string, partition: number, message: KafkaMessage) {
  const line: Record<string, unknown> = {
    topic,
    partition,
    offset: message.offset,
    key: keyAsText(message.key),
    headers: headersAsText(message.headers),
    timestamp: timestampAsIso(message.timestamp),
  };
  if (!codec) {
    line.value = message.value === null ? null : message.value.toString('base64');
    return line;
  }
  try {
    const decoded = await codec.decode(logical as ValueTopic, message.value);
    line.schemaId = decoded.schemaId;
    line.value = decoded.value;
  } catch (error) {
    if (!(error instanceof BadDataError)) throw error; // the registry is down: stop, do not skip
    line.value = null;
    line.error = { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
    line.valueBase64 = message.value === null ? null : message.value.toString('base64');
  }
  return line;
}
