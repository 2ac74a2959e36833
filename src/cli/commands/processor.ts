// `x7 processor`: runs the pipeline on chat.inbound until SIGTERM or SIGINT.
import { loadConfig, type Config } from '../../config.js';
import { createPool, databaseError } from '../../db/index.js';
import { createLogger, type Logger } from '../../log.js';
import { knownBusinessRule } from '../../pipeline/validation.js';
import { createProcessorRuntime } from '../../runtime/processor-runtime.js';
import { RedisCheckpointSaver } from '../../state/redis-checkpointer.js';
import { createRedis } from '../../state/redis.js';
import { WorkflowManager } from '../../workflows/manager.js';
import { createProcessors, type ProcessorDeps } from '../../../processors/index.js';
import { parseCommandArgs, type Command } from '../command.js';

/**
 * The workflow manager, connected on first use and again after a failed attempt: a
 * Temporal that is down at start pauses the partitions that need it (the manager
 * throws DependencyUnavailableError) instead of keeping the processor from starting.
 */
function lazyWorkflows(config: Config, logger: Logger): ProcessorDeps['workflows'] & { close(): Promise<void> } {
  let connecting: Promise<WorkflowManager> | undefined;
  const manager = () => {
    connecting ??= WorkflowManager.connect({ config, logger }).catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };
  return {
    startWorkflow: async (kind, input, options) => (await manager()).startWorkflow(kind, input, options),
    cancelWorkflow: async (workflowId, reason) => (await manager()).cancelWorkflow(workflowId, reason),
    async close() {
      const current = connecting;
      connecting = undefined;
      if (current) await current.then((m) => m.close(), () => undefined);
    },
  };
}

export const processorCommand: Command = {
  help: [
    'usage: x7 processor',
    '',
    'Consumes chat.inbound in the consumer group X7_CONSUMER_GROUP, runs each message through',
    'its chat type\'s processor and writes chat.outbound, chat.analytics, chat.workflows and',
    'chat.inbound.dlq, exactly once. Logs are JSON lines on stdout. SIGTERM or SIGINT stops it',
    'gracefully: fetching stops, the in-flight batch is finished and committed, then it exits 0.',
    '',
    'Configuration comes from the environment (see .env.example).',
  ].join('\n'),

  async run(args) {
    parseCommandArgs(args, { options: {}, allowPositionals: false });
    const config = loadConfig();
    const logger = createLogger('x7-processor', config.logLevel);

    let fatal: Error | undefined;
    let wake: () => void = () => undefined;
    const stopRequested = new Promise<string>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => resolve(signal);
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      wake = () => resolve('fatal');
    });
    // Shared resources, created without waiting for their servers: one that is down
    // pauses processing (DependencyUnavailableError) and work resumes when it is back.
    const pool = createPool(config, { logger });
    const redis = createRedis(config, { logger: logger.child({ dependency: 'redis' }) });
    const checkpointer = new RedisCheckpointSaver(redis, { ttlSeconds: config.checkpointTtlSeconds });
    const workflows = lazyWorkflows(config, logger.child({ dependency: 'temporal' }));
    const processors = createProcessors({ pool, checkpointer, workflows, config, clock: { now: () => Date.now() } });
    const directory = {
      async hasBusiness(id: string) {
        try {
          return (await pool.query('select 1 from businesses where id = $1', [id])).rowCount === 1;
        } catch (error) {
          throw databaseError(error, config.databaseUrl);
        }
      },
    };
    const runtime = createProcessorRuntime({
      config,
      processors,
      asyncRules: [knownBusinessRule(directory)],
      logger,
      onFatal: (error) => {
        fatal = error;
        wake();
      },
    });

    const closeResources = async () => {
      await workflows.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the Temporal connection failed'));
      redis.disconnect();
      await pool.end().catch((error: unknown) => logger.warn({ err: error }, 'closing the PostgreSQL pool failed'));
    };
    try {
      await runtime.start();
    } catch (error) {
      await closeResources();
      throw error;
    }
    const reason = await stopRequested;
    logger.info({ reason }, 'stopping');
    // The runtime finishes its in-flight work first; only then may its resources go.
    await runtime.stop();
    await closeResources();
    if (fatal) {
      process.stderr.write(`x7 processor: the Kafka consumer stopped for good: ${fatal.message}\n`);
      return 1;
    }
    return 0;
  },
};
