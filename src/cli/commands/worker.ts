// `x7 worker`: runs the Temporal worker (workflows and activities) until SIGTERM or SIGINT.
import { loadConfig, metricsPortFor } from '../../config.js';
import { checkAccess } from '../../app/startup-check.js';
import { createLogger } from '../../log.js';
import { Readiness, startObservabilityServer } from '../../observability/http.js';
import { createMetricsRegistry, createWorkerMetrics } from '../../observability/metrics.js';
import { createX7Worker, installTemporalRuntime, type X7Worker } from '../../workflows/worker.js';
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
    'Serves /healthz, /readyz and /metrics (Prometheus) on X7_METRICS_HOST:X7_METRICS_PORT',
    '(default 127.0.0.1:9465; 0 picks a free port, named in the start log line).',
    '',
    'Configuration comes from the environment (see .env.example).',
  ].join('\n'),

  async run(args) {
    parseCommandArgs(args, { options: {}, allowPositionals: false });
    const config = loadConfig();
    const logger = createLogger('x7-worker', config.logLevel);
    installTemporalRuntime(logger);
    // Refused credentials or an untrusted certificate stop it here, with one line; a dependency that is down does not.
    await checkAccess(config, ['temporal', 'postgres', 'registry', 'kafka'], { logger });

    // The server is up before the worker connects, so /healthz answers and /readyz says why meanwhile.
    const registry = createMetricsRegistry();
    let started = false;
    const readiness = new Readiness().add('startup', () => (started ? null : 'connecting to Temporal'));
    const server = await startObservabilityServer({ host: config.metricsHost, port: metricsPortFor(config, 'worker'), registry, readiness, logger });
    logger.info({ host: server.host, port: server.port }, `serving /healthz, /readyz and /metrics on http://${server.host}:${server.port}`);
    let worker: X7Worker;
    try {
      worker = await createX7Worker({ config, logger, readiness, metrics: createWorkerMetrics(registry, { ready: () => readiness.ready() }) });
    } catch (error) {
      await server.close();
      throw error;
    }
    started = true;
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
      await server.close();
    }
    return 0;
  },
};
