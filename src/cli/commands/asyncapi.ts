// `x7 asyncapi`: the AsyncAPI 3.0.0 document of the topics, generated from topics.yaml
// and schemas/*.avsc (docs/asyncapi.yaml is its output, kept up to date by a test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderAsyncApiDocument } from '../../asyncapi/document.js';
import { generateAsyncApiDocument } from '../../asyncapi/sources.js';
import { DEFAULT_TOPICS_FILE } from '../../kafka/topics.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { print } from '../io.js';

const OPTIONS = {
  out: { type: 'string' },
  format: { type: 'string' },
  file: { type: 'string' },
} as const;

const FORMATS = ['yaml', 'json'] as const;
type Format = (typeof FORMATS)[number];

export const asyncapiCommand: Command = {
  help: [
    'usage: x7 asyncapi [--out FILE] [--format yaml|json] [--file topics.yaml]',
    '',
    'Writes the AsyncAPI 3.0.0 document of x7-stream\'s topics: one channel per topic of the',
    'topics file (with partitions, replicas, retention and cleanup policy), its message with',
    'the Avro schema inlined from schemas/, the key and the headers (the x7.* reason headers',
    'of the dead-letter topic), and what x7-stream receives and sends. Needs no services.',
    '',
    'Regenerate the committed copy with: x7 asyncapi --out docs/asyncapi.yaml',
    '',
    'options:',
    '  --out FILE        write the document to FILE instead of stdout',
    '  --format FORMAT   yaml (default) or json; with --out FILE.json the default is json',
    '  --file FILE       the topics file (default: the project\'s topics.yaml)',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
    if (values.format !== undefined && !(FORMATS as readonly string[]).includes(values.format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${values.format}")`);
    }
    if (values.out === '') throw new UsageError('--out needs a file name');
    const format: Format = (values.format as Format | undefined) ?? (values.out?.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
    const text = renderAsyncApiDocument(generateAsyncApiDocument(values.file ? resolve(values.file) : DEFAULT_TOPICS_FILE), format);
    if (values.out === undefined) {
      process.stdout.write(text);
      return 0;
    }
    const out = resolve(values.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    print(`wrote ${out}`);
    return 0;
  },
};
