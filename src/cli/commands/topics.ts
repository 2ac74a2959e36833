// `x7 topics apply`: makes the cluster's topics match topics.yaml.
import { resolve } from 'node:path';
import { loadConfig } from '../../config.js';
import { createKafka } from '../../kafka/client.js';
import { applyTopics, DEFAULT_TOPICS_FILE, describeAction, TopicPlanError } from '../../kafka/topics.js';
import { parseCommandArgs, type Command } from '../command.js';
import { commandLogger, commandLogLevel, print, progress } from '../io.js';

const OPTIONS = { file: { type: 'string' } } as const;

export const topicsApplyCommand: Command = {
  help: [
    'usage: x7 topics apply [--file topics.yaml]',
    '',
    'Creates missing topics, raises partition counts and updates retention and cleanup',
    'policy so that the cluster matches the topics file (X7_TOPIC_PREFIX is put before',
    'every name). It never lowers a partition count: if the file asks for fewer partitions',
    'than a topic has, it changes nothing and exits 1.',
    '',
    'options:',
    '  --file FILE   the topics file (default: the project\'s topics.yaml)',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
    const file = values.file ? resolve(values.file) : DEFAULT_TOPICS_FILE;
    const config = loadConfig();
    const admin = createKafka({ ...config, logLevel: commandLogLevel(config) }, 'topics', commandLogger('x7-topics', config)).admin();
    progress(`applying ${file} to ${config.kafkaBrokers.join(',')}${config.topicPrefix ? ` (prefix ${config.topicPrefix})` : ''}`);
    await admin.connect();
    try {
      const actions = await applyTopics(admin, config, file);
      if (actions.length === 0) print('topics are up to date');
      for (const action of actions) print(describeAction(action));
      return 0;
    } catch (error) {
      if (error instanceof TopicPlanError) {
        process.stderr.write(`x7 topics apply: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      await admin.disconnect();
    }
  },
};
