// `x7 worker`: runs the Temporal worker (workflows and activities) until SIGTERM or SIGINT.
import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { createX7Worker, installTemporalRuntime } from '../../workflows/worker.js';
import { parseCommandArgs, type Command } from '../command.js';

export const workerCommand: Command = {
  help: [
    'usage: x7 worker',
    '',
    'Runs the Temporal worker of x7-stream on the task queue X7_TASK_QUEUE (default x7-workflows)',
    'at TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE: the reservation, management action and voice callback',
    'workflows and their activities (PostgreSQL at DATABASE_URL; chat.workflows and chat.outbound',
    'through the schema registry). Logs are JSON lines on stdout. SIGTERM or SIGINT stops it',
    'gracefully: polling stops, running activities get up to 20 s to finish, then it exits 0.',
    '',
    'Configuration comes from the environment (see .env.example).',
  ].join('\n'),

  async run(args) {
    parseCommandArgs(args, { options: {}, allowPositionals: false });
    const config = loadConfig();
    const logger = createLogger('x7-worker', config.logLevel);
    installTemporalRuntime(logger);

    const worker = await createX7Worker({ config, logger });
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping');
      worker.shutdown();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      await worker.run();
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    return 0;
  },
};
