// `x7 dlq inspect`: what is in the dead-letter queue, and why.
import { loadConfig } from '../../config.js';
import { addToSummary, emptySummary, formatSummary } from '../../dlq/summary.js';
import { createKafka } from '../../kafka/client.js';
import { readToEnd } from '../../kafka/read-to-end.js';
import { topicName } from '../../kafka/topics.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { commandLogger, commandLogLevel, print, progress } from '../io.js';

const OPTIONS = {
  json: { type: 'boolean' },
  samples: { type: 'string' },
} as const;

export const dlqInspectCommand: Command = {
  help: [
    'usage: x7 dlq inspect [--json] [--samples N]',
    '',
    'Reads chat.inbound.dlq from the beginning to its current end and prints how many',
    'records it holds by x7.error.code and by x7.error.field, and the first few records',
    '(key, reason, where they came from, a preview of the value, and the x7.* headers a',
    'record came with, which the DLQ keeps as x7.original.*).',
    '',
    'options:',
    '  --json        one JSON object instead of text',
    '  --samples N   how many records to show (default 5)',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
    const samples = values.samples === undefined ? 5 : Number(values.samples);
    if (!Number.isSafeInteger(samples) || samples < 0) throw new UsageError(`--samples must be a whole number (got ${JSON.stringify(values.samples)})`);
    const config = loadConfig();
    const topic = topicName(config, 'chat.inbound.dlq');
    const kafka = createKafka({ ...config, logLevel: commandLogLevel(config) }, 'dlq', commandLogger('x7-dlq', config));
    const summary = emptySummary();
    progress(`reading ${topic} to its end`);
    const { ends } = await readToEnd(kafka, topic, {
      groupPrefix: config.topicPrefix,
      onMessage: (partition, message) => addToSummary(summary, { partition, ...message }, samples),
    });
    if (values.json) {
      print(JSON.stringify({ topic, endOffsets: Object.fromEntries([...ends].map(([p, o]) => [p, o.toString()])), ...summary }));
    } else {
      for (const line of formatSummary(topic, summary)) print(line);
    }
    return 0;
  },
};
