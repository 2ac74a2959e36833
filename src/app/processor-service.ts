// `x7 processor` put together: the composition root, and the one module of src/
// that knows processors/ (the runtime depends only on the ChatProcessor interface).
// The shared resources (PostgreSQL pool, conversation store, business cache,
// Temporal), the chat-type processors over them, the runtime, and the observability
// server (/healthz, /readyz, /metrics) reporting on all of it. The command runs it
// until a signal; tests run the same assembly in-process.
import { metricsPortFor, type Config } from '../config.js';
import { createPool } from '../db/index.js';
import type { Logger } from '../log.js';
import { backgroundProbe, Readiness, startObservabilityServer, type ObservabilityServer } from '../observability/http.js';
import { createMetricsRegistry, createProcessorMetrics, type ProcessorMetrics } from '../observability/metrics.js';
import { pingLlm, pingPostgres, pingRegistry } from '../observability/probes.js';
import { staffAccess } from '../db/handoffs.js';
import { knownBusinessRule, staffSenderRule } from '../pipeline/validation.js';
import { ConversationStore } from '../state/conversation-store.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowManager, WorkflowNotRunningError } from '../workflows/manager.js';
import { BusinessDirectory, createProcessors, poolDb, watchBusinessChanges, type ConversationState, type ProcessorDeps } from '../../processors/index.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../runtime/processor-runtime.js';
import { createLlmClient, llmSettingsFromConfig } from '../understanding/index.js';

type LazyWorkflows = ProcessorDeps['workflows'] & { ping(): Promise<void>; close(): Promise<void> };

/**
 * The workflow manager, connected on first use and again after a failed attempt: a
 * Temporal that is down at start pauses the partitions that need it (the manager
 * throws DependencyUnavailableError) instead of keeping the processor from starting.
 */
function lazyWorkflows(config: Config, logger: Logger, metrics: ProcessorMetrics): LazyWorkflows {
  let connecting: Promise<WorkflowManager> | undefined;
  const manager = () => {
    connecting ??= WorkflowManager.connect({ config, logger }).catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };
  return {
    async startWorkflow(kind, input, options) {
      const started = await (await manager()).startWorkflow(kind, input, options);
      metrics.workflowRequests.inc({ action: 'start', result: started.alreadyStarted ? 'existing' : 'started' });
      return started;
    },
    async cancelWorkflow(workflowId, reason) {
      try {
        const cancelled = await (await manager()).cancelWorkflow(workflowId, reason);
        metrics.workflowRequests.inc({ action: 'cancel', result: 'cancelled' });
        return cancelled;
      } catch (error) {
        if (error instanceof WorkflowNotRunningError || error instanceof WorkflowNotFoundError) {
          metrics.workflowRequests.inc({ action: 'cancel', result: 'not-running' });
        }
        throw error;
      }
    },
    listWorkflows: async (filter, options) => (await manager()).listWorkflows(filter, options),
    findWorkflow: async (workflowId) => (await manager()).findWorkflow(workflowId),
    ping: async () => (await manager()).ping(),
    async close() {
      const current = connecting;
      connecting = undefined;
      if (current) await current.then((m) => m.close(), () => undefined);
    },
  };
}

export interface ProcessorServiceOptions {
  config: Config;
  logger: Logger;
  /** The consumer crashed for good. */
  onFatal?: (error: Error) => void;
  /** Background probe interval of PostgreSQL, Temporal and the registry (default 5 s). */
  probeIntervalMs?: number;
}

export interface ProcessorService {
  readonly runtime: ProcessorRuntime;
  readonly metrics: ProcessorMetrics;
  readonly readiness: Readiness;
  /** Starts the observability server, then the runtime; resolves to where /metrics is served. */
  start(): Promise<{ metricsHost: string; metricsPort: number }>;
  /** Stops the runtime (finishing in-flight work), then closes its resources and the server. */
  stop(): Promise<void>;
}

export function createProcessorService(options: ProcessorServiceOptions): ProcessorService {
  const { config, logger } = options;
  const metrics = createProcessorMetrics(createMetricsRegistry());
  // Shared resources, created without waiting for their servers: one that is down
  // pauses processing (DependencyUnavailableError) and work resumes when it is back.
  // A connection per partition in flight, and a few for commits and probes: partitions never queue for the pool.
  const pool = createPool(config, { logger, max: config.partitionConcurrency + 4 });
  const clock = { now: () => Date.now() };
  const store = new ConversationStore<ConversationState>(pool, {
    databaseUrl: config.databaseUrl, ttlSeconds: config.checkpointTtlSeconds, preparedStatements: config.pgPreparedStatements,
  });
  const businesses = new BusinessDirectory(poolDb(pool, config.databaseUrl, { preparedStatements: config.pgPreparedStatements }), clock.now);
  // A management action (or an operator) changing a business is seen by the next message.
  const businessChanges = watchBusinessChanges(businesses, config, logger.child({ dependency: 'postgres' }));
  const workflows = lazyWorkflows(config, logger.child({ dependency: 'temporal' }), metrics);
  // The LLM the rules pass unsure messages on to, when one is configured; its failures pause partitions like any dependency's.
  const llmSettings = llmSettingsFromConfig(config);
  const llm = llmSettings && createLlmClient(llmSettings, { onResult: (result) => metrics.llmRequests.inc({ result }) });
  if (llmSettings) {
    logger.info({ model: llmSettings.model, belowConfidence: llmSettings.belowConfidence, maxConcurrency: llmSettings.maxConcurrency }, 'messages the rules are unsure of go to the LLM');
  }
  const processors = createProcessors({ pool, store, businesses, workflows, llm, config, clock });
  // The known-business rule reads the same cached rows the stages use: one read per business, not two per event.
  const directory = { hasBusiness: async (id: string) => (await businesses.business(id)) !== null };
  // A STAFF message (a person answering a handed-off conversation) is checked against members and handoffs.
  const db = poolDb(pool, config.databaseUrl, { preparedStatements: config.pgPreparedStatements });
  const staff = { staffAccess: (userId: string, businessId: string, conversationId: string) => staffAccess((sql, params) => db.query(sql, params), userId, businessId, conversationId) };
  const runtime = createProcessorRuntime({
    config,
    processors,
    asyncRules: [knownBusinessRule(directory), staffSenderRule(staff)],
    logger,
    metrics,
    onFatal: options.onFatal,
    participants: [store],
  });

  const probeOptions = { intervalMs: options.probeIntervalMs ?? 5_000 };
  const probes = {
    postgres: backgroundProbe(() => pingPostgres(pool), probeOptions),
    temporal: backgroundProbe(() => workflows.ping(), { ...probeOptions, timeoutMs: 6_000 }),
    registry: backgroundProbe(() => pingRegistry(config), probeOptions),
    // Only with an LLM configured: without one there is no such dependency.
    ...(llmSettings ? { llm: backgroundProbe(() => pingLlm(llmSettings), probeOptions) } : {}),
  };
  const readiness = new Readiness()
    .add('processor', () => runtime.notReady())
    .add('postgres', probes.postgres.check)
    .add('temporal', probes.temporal.check)
    .add('registry', probes.registry.check);
  // The probe sees a server that is down; the last request also sees one that is up but fails to answer (5xx, a timeout).
  if (llm && probes.llm) {
    const probe = probes.llm;
    readiness.add('llm', async () => (await probe.check()) ?? (llm.lastFailure() === null ? null : `the last request failed (${llm.lastFailure()})`));
  }
  metrics.setHooks({ ready: () => readiness.ready() });
  let server: ObservabilityServer | undefined;

  const closeResources = async () => {
    for (const probe of Object.values(probes)) probe.stop();
    await workflows.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the Temporal connection failed'));
    await businessChanges.close();
    await pool.end().catch((error: unknown) => logger.warn({ err: error }, 'closing the PostgreSQL pool failed'));
  };

  return {
    runtime,
    metrics,
    readiness,

    async start() {
      // Up first, so /healthz answers and /readyz says why while the runtime starts.
      server = await startObservabilityServer({
        host: config.metricsHost, port: metricsPortFor(config, 'processor'), registry: metrics.registry, readiness, logger,
      });
      logger.info({ host: server.host, port: server.port }, `serving /healthz, /readyz and /metrics on http://${server.host}:${server.port}`);
      for (const probe of Object.values(probes)) void probe.start();
      try {
        await runtime.start();
      } catch (error) {
        await closeResources();
        await server.close();
        throw error;
      }
      return { metricsHost: server.host, metricsPort: server.port };
    },

    async stop() {
      // The runtime finishes its in-flight work first; only then may its resources go.
      await runtime.stop();
      await closeResources();
      await server?.close();
    },
  };
}
