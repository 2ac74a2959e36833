// `x7 schemas register` and `x7 schemas check`: the value schemas of topics.yaml
// against the schema registry.
import { resolve } from 'node:path';
import { loadConfig } from '../../config.js';
import { DEFAULT_TOPICS_FILE } from '../../kafka/topics.js';
import { checkSchemas, RegistryAdmin, registerSchemas, schemaSources } from '../../schemas/registry.js';
import { parseCommandArgs, type Command } from '../command.js';
import { print, progress } from '../io.js';

const OPTIONS = {
  file: { type: 'string' },
  'schemas-dir': { type: 'string' },
} as const;

const OPTIONS_HELP = [
  'options:',
  '  --file FILE         the topics file (default: the project\'s topics.yaml)',
  '  --schemas-dir DIR   read each schema from DIR (same file name) instead of the path in the topics file',
];

function sourcesFromArgs(args: string[]) {
  const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
  const config = loadConfig();
  const file = values.file ? resolve(values.file) : DEFAULT_TOPICS_FILE;
  const schemasDir = values['schemas-dir'] ? resolve(values['schemas-dir']) : undefined;
  return { config, sources: schemaSources(config, file, schemasDir), admin: new RegistryAdmin(config) };
}

export const schemasRegisterCommand: Command = {
  help: [
    'usage: x7 schemas register [--file topics.yaml] [--schemas-dir DIR]',
    '',
    'For each topic with a value schema: sets the compatibility level of its subject',
    '("<topic>-value") from the topics file, then registers the schema. Registering the',
    'same schema again is harmless and gives the same id; an incompatible one is refused',
    'by the registry and the command exits 1.',
    '',
    ...OPTIONS_HELP,
  ].join('\n'),

  async run(args) {
    const { config, sources, admin } = sourcesFromArgs(args);
    progress(`registering ${sources.length} schemas at ${config.schemaRegistryUrl}`);
    const results = await registerSchemas(admin, sources, progress);
    for (const r of results) print(`${r.subject}: registered as schema id ${r.id} (compatibility ${r.compatibility})`);
    return 0;
  },
};

export const schemasCheckCommand: Command = {
  help: [
    'usage: x7 schemas check [--file topics.yaml] [--schemas-dir DIR]',
    '',
    'Asks the registry whether each schema may follow the latest registered version of its',
    'subject under the subject\'s compatibility level, without registering anything.',
    'Exits 1 when any is incompatible, printing the registry\'s reason.',
    '',
    ...OPTIONS_HELP,
  ].join('\n'),

  async run(args) {
    const { config, sources, admin } = sourcesFromArgs(args);
    progress(`checking ${sources.length} schemas against ${config.schemaRegistryUrl}`);
    const results = await checkSchemas(admin, sources, progress);
    let incompatible = 0;
    for (const r of results) {
      if (r.status === 'compatible') print(`${r.subject}: compatible with the latest version`);
      else if (r.status === 'new') print(`${r.subject}: not registered yet, nothing to check against`);
      else {
        incompatible += 1;
        const reason = r.messages.length > 0 ? r.messages.join('; ') : 'the registry gave no reason';
        print(`${r.subject}: INCOMPATIBLE (${r.file}): ${reason}`);
      }
    }
    if (incompatible > 0) {
      process.stderr.write(`x7 schemas check: ${incompatible} schema(s) incompatible with what is registered\n`);
      return 1;
    }
    return 0;
  },
};
