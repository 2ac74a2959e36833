// `x7 dlq replay`: sends dead-lettered records back to chat.inbound once their cause is fixed.
//
// What is selected and how a record is rebuilt is pure (dlq/replay.ts); this reads the
// DLQ to the end it has when the command starts (read committed) and produces with an
// idempotent producer, one request in flight, in the DLQ's order. A key always lands
// in the same DLQ partition, so its records go back in the order they failed, and to
// the inbound partition its producer's key chose (the same Java-compatible partitioner).
// A replay is at least once: run again, it sends the same records again, and the
// processor answers an eventId it has applied with its stored outputs (nothing twice).
import { loadConfig } from '../../config.js';
import { emptyTally, formatTally, selectForReplay, tally, type ReplayFilter, type ReplayRecord } from '../../dlq/replay.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../kafka/client.js';
import { keyAsText } from '../../kafka/records.js';
import { readToEnd } from '../../kafka/read-to-end.js';
import { topicName } from '../../kafka/topics.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { commandLogger, commandLogLevel, print, progress } from '../io.js';
import { formatInstant, parseSince, table } from '../workflows-format.js';

const OPTIONS = {
  'code': { type: 'string', multiple: true },
  'since': { type: 'string' },
  'until': { type: 'string' },
  'partition': { type: 'string' },
  'from': { type: 'string' },
  'to': { type: 'string' },
  'include-replayed': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'json': { type: 'boolean' },
} as const;

/** Records produced per request: few enough to stay far below the producer's request size. */
const SEND_BATCH = 50;
/** A progress line on stderr every this many DLQ records read. */
const PROGRESS_EVERY = 1_000;

export const dlqReplayCommand: Command = {
  help: [
    'usage: x7 dlq replay [--code C]... [--since T] [--until T] [--partition P [--from O] [--to O]]',
    '                     [--include-replayed] [--dry-run] [--json]',
    '',
    'Reads chat.inbound.dlq to its current end and sends the records it selects back to',
    'chat.inbound (their x7.source.topic, which must be this namespace\'s), with their',
    'original key, value and headers (the x7.* headers they came with restored from',
    'x7.original.*; the DLQ\'s x7.error.*, x7.source.* and x7.failed.at left behind) and',
    'x7.replay.of = <dlq topic>-<partition>-<offset>. A record that fails again returns to',
    'the DLQ carrying x7.original.replay.of; such records are skipped unless',
    '--include-replayed is given, so nothing loops.',
    '',
    'options:',
    '  --code C             only records with this x7.error.code (repeatable)',
    '  --since T, --until T only records dead-lettered at or after / at or before T',
    '                       (x7.failed.at): an ISO-8601 time with its zone, a date, or',
    '                       a time ago such as 30m, 2h, 7d',
    '  --partition P        only this DLQ partition; --from O / --to O: its offsets',
    '                       (inclusive)',
    '  --include-replayed   also replay records that failed again after a replay',
    '  --dry-run            list what would be replayed; send nothing',
    '  --json               one JSON object instead of text',
    '',
    'Progress goes to stderr. Exit code 0 when the selected records were sent.',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
    const filter = replayFilter(values, new Date());
    const dryRun = values['dry-run'] === true;
    const config = loadConfig();
    const dlqTopic = topicName(config, 'chat.inbound.dlq');
    const sourceTopic = topicName(config, 'chat.inbound');
    const kafka = createKafka({ ...config, logLevel: commandLogLevel(config) }, 'dlq-replay', commandLogger('x7-dlq', config));
    // Idempotent, one request in flight: a retried request is not written twice, and
    // records are written in the order they were sent.
    const producer = dryRun ? undefined : kafka.producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER, idempotent: true, maxInFlightRequests: 1 });
    const counts = emptyTally();
    const listed: Record<string, string | number | null>[] = [];
    let pending: ReplayRecord[] = [];
    let read = 0;
    const send = async () => {
      if (!producer || pending.length === 0) return;
      const messages = pending.map(({ key, value, headers }) => ({ key, value, headers }));
      pending = [];
      await producer.send({ topic: sourceTopic, acks: -1, messages });
    };

    await producer?.connect();
    try {
      progress(`${dryRun ? 'dry run: ' : ''}reading ${dlqTopic} to its end; replaying to ${sourceTopic}`);
      await readToEnd(kafka, dlqTopic, {
        groupPrefix: config.topicPrefix,
        onMessage: async (partition, message) => {
          const selection = selectForReplay({ partition, ...message }, filter, dlqTopic, sourceTopic);
          tally(counts, selection);
          if (selection.kind === 'replay') {
            if (dryRun) {
              listed.push({
                partition, offset: message.offset, key: keyAsText(message.key), code: selection.code, field: selection.field,
                failedAt: selection.failedAt.toISOString(), to: selection.record.topic,
              });
            } else {
              pending.push(selection.record);
              if (pending.length >= SEND_BATCH) await send();
            }
          }
          if (++read % PROGRESS_EVERY === 0) progress(`read ${read}: ${formatTally(counts, dryRun ? 'would replay' : 'replayed')}`);
        },
      });
      await send();
    } finally {
      await producer?.disconnect();
    }

    const verb = dryRun ? 'would replay' : 'replayed';
    progress(`done, read ${read}: ${formatTally(counts, verb)}`);
    if (values.json) {
      print(JSON.stringify({ topic: dlqTopic, to: sourceTopic, dryRun, ...counts, ...(dryRun ? { records: listed } : {}) }));
    } else {
      if (dryRun && listed.length > 0) {
        const rows = listed.map((r) => [`${r.partition}@${r.offset}`, JSON.stringify(r.key), String(r.code), String(r.field ?? '-'), formatInstant(new Date(String(r.failedAt))), String(r.to)]);
        for (const line of table([['DLQ RECORD', 'KEY', 'CODE', 'FIELD', 'FAILED AT', 'TO'], ...rows])) print(line);
      }
      print(formatTally(counts, verb));
    }
    return 0;
  },
};

type ReplayValues = Partial<Record<'since' | 'until' | 'partition' | 'from' | 'to', string>> & { 'code'?: string[]; 'include-replayed'?: boolean };

/** The options as a filter; a UsageError names the first one that is wrong. */
export function replayFilter(values: ReplayValues, now: Date): ReplayFilter {
  const time = (name: 'since' | 'until') => {
    const text = values[name];
    if (text === undefined) return undefined;
    const at = parseReplayTime(text, now);
    if (!at) throw new UsageError(`--${name} must be an ISO-8601 time with its zone (2025-11-25T18:00:00Z), a date (2025-11-25) or a time ago (30m, 2h, 7d) (got ${JSON.stringify(text)})`);
    return at;
  };
  const whole = (name: 'partition' | 'from' | 'to') => {
    const text = values[name];
    if (text === undefined) return undefined;
    if (!/^\d{1,19}$/.test(text)) throw new UsageError(`--${name} must be a whole number (got ${JSON.stringify(text)})`);
    return BigInt(text);
  };
  const since = time('since');
  const until = time('until');
  if (since && until && since > until) throw new UsageError('--since must not be later than --until');
  const partition = whole('partition');
  const from = whole('from');
  const to = whole('to');
  if ((from !== undefined || to !== undefined) && partition === undefined) throw new UsageError('--from and --to are offsets of one DLQ partition: give --partition too');
  if (from !== undefined && to !== undefined && from > to) throw new UsageError('--from must not be greater than --to');
  const codes = (values.code ?? []).map((c) => c.trim().toUpperCase());
  if (codes.some((c) => c === '')) throw new UsageError('--code must not be empty');
  return {
    codes,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(partition !== undefined ? { partition: Number(partition) } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    includeReplayed: values['include-replayed'] === true,
  };
}

/** --since/--until: a time ago ("30m", "2h", "7d"), a date, or an ISO-8601 time with its zone. */
export function parseReplayTime(text: string, now: Date): Date | undefined {
  const ago = parseSince(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  // A time without its zone would be read in the operator's local zone: refused.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(text.trim())) return undefined;
  const at = Date.parse(text.trim());
  return Number.isFinite(at) ? new Date(at) : undefined;
}
