// The Temporal worker of x7-stream: polls the task queue, runs workflows.ts in
// Temporal's sandbox and the activities with their dependencies (PostgreSQL pool,
// schema codec, Kafka producer), all owned and closed here. It also counts the
// workflows running on its task queue for /metrics (x7_workflows_running).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import type { Producer } from 'kafkajs';
import { createCodec } from '../codec/index.js';
import type { Config } from '../config.js';
import { createPool } from '../db/index.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../kafka/client.js';
import type { Logger } from '../log.js';
import { backgroundProbe, Readiness } from '../observability/http.js';
import { createMetricsRegistry, createWorkerMetrics, type WorkerMetrics } from '../observability/metrics.js';
import { pingPostgres, pingRegistry, pingTemporal } from '../observability/probes.js';
import { accessRefusal } from '../pipeline/access-errors.js';
import { createActivities } from './activities.js';
import { diagnoseConnectFailure, temporalConnectionOptions } from './connection.js';
import { WORKFLOW_EVENT_TYPES } from './temporal.js';
import type { WorkflowKind } from './types.js';
import { WorkflowVisibility } from './visibility.js';

/**
 * The workflows module next to this file: workflows.js after `npm run build` (dist/),
 * workflows.ts when running from source under vitest. Temporal's bundler compiles
 * either (it resolves ".js" imports to ".ts" and runs TypeScript through swc).
 */
export function workflowsPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const name of ['workflows.js', 'workflows.ts']) {
    const candidate = join(here, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find workflows.js or workflows.ts in ${here}`);
}

const PINO_LEVEL: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
};

/** Temporal's logger interface over pino, so the SDK's own lines are JSON like ours. */
class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}
  log(level: TemporalLogLevel, message: string, meta?: LogMetadata): void {
    this.logger[PINO_LEVEL[level]]({ ...meta }, message);
  }
  trace(message: string, meta?: LogMetadata): void { this.log('TRACE', message, meta); }
  debug(message: string, meta?: LogMetadata): void { this.log('DEBUG', message, meta); }
  info(message: string, meta?: LogMetadata): void { this.log('INFO', message, meta); }
  warn(message: string, meta?: LogMetadata): void { this.log('WARN', message, meta); }
  error(message: string, meta?: LogMetadata): void { this.log('ERROR', message, meta); }
}

/**
 * Installs Temporal's process-wide runtime with JSON logging and without its own
 * signal handlers (the command decides what SIGTERM does). Once per process, before
 * any worker or connection is created; the CLI calls it, tests keep the default.
 */
export function installTemporalRuntime(logger: Logger): void {
  Runtime.install({ logger: new PinoTemporalLogger(logger.child({ component: 'temporal' })), shutdownSignals: [] });
}

export interface X7WorkerOptions {
  config: Config;
  logger: Logger;
  /** A prebuilt bundle (tests bundle once per file); default: bundle workflowsPath() at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long shutdown waits for running activities before cancelling them. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Where the worker's metrics go; default: a registry of its own. */
  metrics?: WorkerMetrics;
  /** The readiness model the worker adds its checks to; default: a new one. */
  readiness?: Readiness;
  /** How often x7_workflows_running is counted from visibility (default 15 s). */
  runningGaugeIntervalMs?: number;
}

export interface X7Worker {
  readonly taskQueue: string;
  readonly metrics: WorkerMetrics;
  /** Polling, and Temporal, PostgreSQL and the schema registry answering (probed while run() runs). */
  readonly readiness: Readiness;
  /** Polls until shutdown() (or a fatal worker error); closes every dependency before it resolves. */
  run(): Promise<void>;
  /** Stops polling, lets running tasks finish (up to the grace time), then run() resolves. */
  shutdown(): void;
}

/**
 * A producer that connects on first use and again after a failed connect, so the
 * worker starts while Kafka is down and its activities retry until Kafka is back.
 */
function lazyProducer(producer: Producer): Pick<Producer, 'sendBatch'> & { disconnect(): Promise<void> } {
  let connecting: Promise<void> | undefined;
  return {
    async sendBatch(batch) {
      connecting ??= producer.connect().catch((error: unknown) => {
        connecting = undefined;
        throw error;
      });
      await connecting;
      return producer.sendBatch(batch);
    },
    async disconnect() {
      if (connecting) await producer.disconnect();
    },
  };
}

/**
 * Sets x7_workflows_running from Temporal's visibility (this task queue only). On a
 * failure the gauge loses its samples: an old count shown as current would be a guess.
 */
async function countRunning(visibility: WorkflowVisibility, gauge: WorkerMetrics['runningWorkflows']): Promise<void> {
  try {
    const running = await visibility.countRunning();
    for (const [kind, count] of Object.entries(running) as [WorkflowKind, number][]) gauge.set({ workflow_type: WORKFLOW_EVENT_TYPES[kind] }, count);
  } catch (error) {
    gauge.reset();
    throw error;
  }
}

export async function createX7Worker(options: X7WorkerOptions): Promise<X7Worker> {
  const { config, logger } = options;
  let connection: NativeConnection;
  // Refused credentials or an untrusted certificate: AccessRefusedError, and the command exits with its line.
  try {
    connection = await NativeConnection.connect(temporalConnectionOptions(config));
  } catch (error) {
    throw await diagnoseConnectFailure(error, config);
  }
  const pool = createPool(config, { logger });
  const producer = lazyProducer(
    createKafka(config, 'worker', logger).producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER, idempotent: true, maxInFlightRequests: 1 }),
  );
  const metrics = options.metrics ?? createWorkerMetrics(createMetricsRegistry({ defaultMetrics: false }));
  // The worker's own connection serves visibility too (a client over a NativeConnection).
  const visibility = new WorkflowVisibility(new Client({ connection, namespace: config.temporalNamespace }), config);
  const probes = {
    // A refusal (an expired API key, a revoked certificate) is named as one on /readyz.
    temporal: backgroundProbe(() => pingTemporal(connection).catch((error: unknown) => { throw accessRefusal(error, 'temporal') ?? error; })),
    postgres: backgroundProbe(() => pingPostgres(pool)),
    registry: backgroundProbe(() => pingRegistry(config)),
    // Not a readiness check (the temporal probe is): it keeps the running gauge current.
    running: backgroundProbe(() => countRunning(visibility, metrics.runningWorkflows), { intervalMs: options.runningGaugeIntervalMs ?? 15_000, timeoutMs: 10_000 }),
  };
  const closeDependencies = async () => {
    for (const probe of Object.values(probes)) probe.stop();
    await Promise.allSettled([producer.disconnect(), pool.end(), connection.close()]);
  };

  let worker: Worker;
  try {
    const activities = createActivities({ pool, codec: createCodec(config), producer, config, logger: logger.child({ component: 'activities' }), metrics });
    worker = await Worker.create({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
      activities,
      shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
    });
  } catch (error) {
    await closeDependencies();
    throw error;
  }
  logger.info({ taskQueue: config.taskQueue, namespace: config.temporalNamespace, address: config.temporalAddress }, 'worker ready');

  const readiness = (options.readiness ?? new Readiness())
    .add('worker', () => (worker.getState() === 'RUNNING' ? null : `${worker.getState().toLowerCase()}, not polling ${config.taskQueue}`))
    .add('temporal', probes.temporal.check)
    .add('postgres', probes.postgres.check)
    .add('registry', probes.registry.check);

  return {
    taskQueue: config.taskQueue,
    metrics,
    readiness,
    async run() {
      try {
        for (const probe of Object.values(probes)) void probe.start();
        await worker.run();
      } finally {
        await closeDependencies();
        logger.info({ taskQueue: config.taskQueue }, 'worker stopped');
      }
    },
    shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}
