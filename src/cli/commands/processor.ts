// `x7 processor`: runs the pipeline on chat.inbound until SIGTERM or SIGINT.
import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { createProcessorService } from '../../app/processor-service.js';
import { checkAccess } from '../../app/startup-check.js';
import { parseCommandArgs, type Command } from '../command.js';
import { runUntilStopped } from '../io.js';

export const processorCommand: Command = {
  help: [
    'usage: x7 processor',
    '',
    'Consumes chat.inbound in the consumer group X7_CONSUMER_GROUP, runs each message through',
    'its chat type\'s processor and writes chat.outbound, chat.analytics, chat.workflows and',
    'chat.inbound.dlq, exactly once. Logs are JSON lines on stdout. SIGTERM or SIGINT stops it',
    'gracefully: fetching stops, the in-flight batch is finished and committed, then it exits 0.',
    '',
    'Serves /healthz, /readyz and /metrics (Prometheus) on X7_METRICS_HOST:X7_METRICS_PORT',
    '(default 127.0.0.1:9464; 0 picks a free port, named in the start log line).',
    '',
    'Configuration comes from the environment (see .env.example).',
  ].join('\n'),

  async run(args) {
    parseCommandArgs(args, { options: {}, allowPositionals: false });
    const config = loadConfig();
    const logger = createLogger('x7-processor', config.logLevel);
    // Refused credentials or an untrusted certificate stop it here, with one line; a dependency that is down does not.
    await checkAccess(config, ['kafka', 'registry', 'postgres', 'temporal'], { logger });

    return runUntilStopped('processor (the Kafka consumer)', logger, (onFatal) => createProcessorService({ config, logger, onFatal }));
  },
};
