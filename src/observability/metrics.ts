// Prometheus metrics of every x7 process, on prom-client: one registry per process
// (never the library's global one, so tests may run several runtimes side by side),
// and the metric families of each service defined here, in one place, so names and
// labels stay consistent across the processor, the worker and the bridge.
//
// Names are part of the operations contract (dashboards, alerts and the benchmarks
// read them): change one only together with its readers.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RejectionCode } from '../pipeline/rejection.js';
import { PROCESSOR_STAGES } from '../pipeline/processor.js';

export { Registry };

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The pipeline's stages, as `x7_stage_duration_seconds{stage}` labels them. */
export const STAGES = ['decode', 'validate', ...PROCESSOR_STAGES, 'state', 'produce', 'commit'] as const;
export type Stage = (typeof STAGES)[number];

/** From half a millisecond (a decode) to half a minute (an LLM or a slow Temporal). */
export const STAGE_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const REJECTION_CODES: readonly RejectionCode[] = [
  'WIRE_FORMAT', 'UNKNOWN_SCHEMA', 'DECODE_ERROR', 'SCHEMA_MISMATCH', 'INVALID_EVENT', 'PROCESSING_ERROR',
];

/**
 * A registry for one process. Node's process metrics (CPU, memory, event loop lag,
 * GC) are added unless `defaultMetrics` is false.
 */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

// ---- processor ------------------------------------------------------------

export interface ProcessorMetrics {
  readonly registry: Registry;
  /** Inbound events committed, by chat type (UNKNOWN when undecodable) and outcome. */
  readonly events: Counter<'chat_type' | 'outcome'>;
  readonly stageDuration: Histogram<'stage'>;
  readonly dlqRecords: Counter<'code'>;
  readonly outputs: Counter<'topic'>;
  readonly transactions: Counter<'result'>;
  readonly dependencyFailures: Counter<'dependency'>;
  readonly pausedPartitions: Gauge;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly workflowRequests: Counter<'action' | 'result'>;
  /** Requests to the LLM (only when one is configured), by result: answered, rejected (outside the schema), unavailable. */
  readonly llmRequests: Counter<'result'>;
  readonly ready: Gauge;
  /** Seconds → the stage's histogram. */
  observeStage(stage: Stage, seconds: number): void;
  /** Where the collected gauges (lag, paused partitions, ready) read from; merged into the current ones. */
  setHooks(hooks: ProcessorMetricsHooks): void;
}

/** The runtime's counts, read from its Prometheus metrics (the one set of counters). */
export interface RuntimeCounts {
  /** Inbound records whose outputs (or DLQ record) were committed. */
  recordsCommitted: number;
  /** Of those, records dead-lettered, by rejection code. */
  recordsRejected: Partial<Record<RejectionCode, number>>;
  /** Output records committed (outbound, analytics, workflows; not DLQ). */
  outputsCommitted: number;
  transactionsCommitted: number;
  transactionsAborted: number;
  /** Each time a dependency was found unavailable and a partition paused. */
  dependencyFailures: number;
  /** Partitions paused right now, waiting to retry. */
  partitionsPaused: number;
}

export async function countsOf(metrics: ProcessorMetrics): Promise<RuntimeCounts> {
  const values = async (metric: { get(): Promise<{ values: { value: number; labels: Partial<Record<string, string | number>> }[] }> }) => (await metric.get()).values;
  const sum = (list: { value: number }[]) => list.reduce((total, v) => total + v.value, 0);
  const transactions = await values(metrics.transactions);
  const rejected: Partial<Record<RejectionCode, number>> = {};
  for (const v of await values(metrics.dlqRecords)) if (v.value > 0) rejected[v.labels.code as RejectionCode] = v.value;
  return {
    recordsCommitted: sum(await values(metrics.events)),
    recordsRejected: rejected,
    outputsCommitted: sum(await values(metrics.outputs)),
    transactionsCommitted: sum(transactions.filter((v) => v.labels.result === 'committed')),
    transactionsAborted: sum(transactions.filter((v) => v.labels.result === 'aborted')),
    dependencyFailures: sum(await values(metrics.dependencyFailures)),
    partitionsPaused: sum(await values(metrics.pausedPartitions)),
  };
}

export interface ProcessorMetricsHooks {
  /** Per partition of the inbound topic: messages not yet committed (high watermark − committed offset). */
  lag?: () => Promise<{ topic: string; partition: number; lag: number }[]>;
  pausedPartitions?: () => number;
  ready?: () => Promise<boolean> | boolean;
}

export function createProcessorMetrics(registry: Registry = createMetricsRegistry(), hooks: ProcessorMetricsHooks = {}): ProcessorMetrics {
  let current = hooks;
  const events = new Counter({
    name: 'x7_events_total',
    help: 'Inbound events committed, by chat type (UNKNOWN when it could not be decoded) and outcome (the analytics outcome: ANSWERED, WORKFLOW_STARTED …; PROCESSED without a fact; REJECTED when dead-lettered)',
    labelNames: ['chat_type', 'outcome'] as const,
    registers: [registry],
  });
  const stageDuration = new Histogram({
    name: 'x7_stage_duration_seconds',
    help: 'Time spent per pipeline stage: decode, validate, conversation, agent, workflow, respond (per event); state (the conversation store flush), produce and commit (per Kafka transaction)',
    labelNames: ['stage'] as const,
    buckets: STAGE_BUCKETS_SECONDS,
    registers: [registry],
  });
  for (const stage of STAGES) stageDuration.zero({ stage });
  const dlqRecords = new Counter({
    name: 'x7_dlq_records_total',
    help: 'Inbound events dead-lettered (committed to chat.inbound.dlq), by rejection code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  for (const code of REJECTION_CODES) dlqRecords.inc({ code }, 0);
  const outputs = new Counter({
    name: 'x7_output_records_total',
    help: 'Output records committed, by logical topic (chat.outbound, chat.analytics, chat.workflows)',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const transactions = new Counter({
    name: 'x7_transactions_total',
    help: 'Kafka transactions of the processor, by result (committed, aborted)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  transactions.inc({ result: 'committed' }, 0);
  transactions.inc({ result: 'aborted' }, 0);
  const dependencyFailures = new Counter({
    name: 'x7_dependency_failures_total',
    help: 'Times a partition paused because a dependency was unavailable, by dependency',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const pausedPartitions = new Gauge({
    name: 'x7_consumer_paused_partitions',
    help: 'Partitions of chat.inbound paused right now, waiting to retry after a failure',
    registers: [registry],
    collect() {
      if (current.pausedPartitions) this.set(current.pausedPartitions());
    },
  });
  const consumerLag = new Gauge({
    name: 'x7_consumer_lag',
    help: 'Per assigned partition: high watermark minus the committed offset (records not yet processed)',
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
    async collect() {
      if (!current.lag) return;
      const lags = await current.lag();
      this.reset();
      for (const { topic, partition, lag } of lags) this.set({ topic, partition: String(partition) }, lag);
    },
  });
  const workflowRequests = new Counter({
    name: 'x7_workflow_requests_total',
    help: 'Workflow starts and cancels the pipeline asked Temporal for, by action (start, cancel) and result (started, existing, cancelled, not-running)',
    labelNames: ['action', 'result'] as const,
    registers: [registry],
  });
  const llmRequests = new Counter({
    name: 'x7_llm_requests_total',
    help: 'Requests to the LLM the rules passed unsure messages on to, by result: answered, rejected (an answer outside the schema; the message is understood as unknown), unavailable (the partition pauses)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const ready = readyGauge(registry, () => current.ready);
  return {
    registry, events, stageDuration, dlqRecords, outputs, transactions, dependencyFailures, pausedPartitions, consumerLag, workflowRequests, llmRequests, ready,
    observeStage(stage, seconds) {
      if (Number.isFinite(seconds) && seconds >= 0) stageDuration.observe({ stage }, seconds);
    },
    setHooks(h) {
      current = { ...current, ...h };
    },
  };
}

/** `x7_ready`: the process's /readyz answer as 1 or 0, read at scrape time. */
function readyGauge(registry: Registry, check: () => (() => Promise<boolean> | boolean) | undefined): Gauge {
  return new Gauge({
    name: 'x7_ready',
    help: '1 when the process reports ready on /readyz',
    registers: [registry],
    async collect() {
      const ready = check();
      if (ready) this.set((await ready()) ? 1 : 0);
    },
  });
}

// ---- worker ---------------------------------------------------------------

export interface WorkerMetrics {
  readonly registry: Registry;
  /** Status changes published by workflows (STARTED, CONFIRMED, FAILED, CANCELLED, COMPLETED …). */
  readonly workflows: Counter<'workflow_type' | 'status'>;
  readonly activityFailures: Counter<'activity' | 'retrying'>;
  readonly ready: Gauge;
  /** Workflows running on the worker's task queue, by workflow type, as visibility last counted them. */
  readonly runningWorkflows: Gauge<'workflow_type'>;
}

export function createWorkerMetrics(registry: Registry = createMetricsRegistry(), hooks: { ready?: () => Promise<boolean> | boolean } = {}): WorkerMetrics {
  const workflows = new Counter({
    name: 'x7_workflows_total',
    help: 'Workflow status changes published to chat.workflows, by workflow type and status (STARTED = workflows started, FAILED, CANCELLED, COMPLETED …)',
    labelNames: ['workflow_type', 'status'] as const,
    registers: [registry],
  });
  const activityFailures = new Counter({
    name: 'x7_activity_failures_total',
    help: 'Failed activity attempts, by activity and whether Temporal retries them',
    labelNames: ['activity', 'retrying'] as const,
    registers: [registry],
  });
  const ready = readyGauge(registry, () => hooks.ready);
  const runningWorkflows = new Gauge({
    name: 'x7_workflows_running',
    help: 'Workflows running on the worker\'s task queue, by workflow type, counted by Temporal\'s visibility every few seconds (no samples while Temporal does not answer)',
    labelNames: ['workflow_type'] as const,
    registers: [registry],
  });
  return { registry, workflows, activityFailures, ready, runningWorkflows };
}

// ---- bridge ---------------------------------------------------------------

export interface BridgeGauges {
  connections: () => number;
  subscriptions: () => number;
  /** Bytes queued for clients across all sockets. */
  bufferedBytes: () => number;
  ready: () => Promise<boolean> | boolean;
}

/** The bridge's metrics (names kept from its first, hand-rolled exporter). */
export class BridgeMetrics {
  readonly connectionsOpened: Counter;
  readonly connectionsRejected: Counter<'reason'>;
  readonly framesReceived: Counter;
  readonly framesSent: Counter;
  readonly messagesProduced: Counter;
  readonly eventsConsumed: Counter;
  readonly eventsDelivered: Counter;
  readonly eventsUndecodable: Counter;
  readonly eventsReplayed: Counter;
  readonly errorsSent: Counter<'code'>;
  readonly slowConsumersDropped: Counter;
  readonly bufferBudgetDrops: Counter;
  readonly dependencyFailures: Counter;

  constructor(gauges: BridgeGauges, readonly registry: Registry = createMetricsRegistry()) {
    const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
    new Gauge({
      name: 'x7_bridge_ready', help: '1 when the bridge consumes chat.outbound and its dependencies answer', registers: [registry],
      async collect() { this.set((await gauges.ready()) ? 1 : 0); },
    });
    new Gauge({
      name: 'x7_bridge_connections', help: 'Open WebSocket connections', registers: [registry],
      collect() { this.set(gauges.connections()); },
    });
    new Gauge({
      name: 'x7_bridge_buffered_bytes', help: 'Bytes queued for clients across all sockets (bounded by X7_MAX_BUFFERED_BYTES_TOTAL)', registers: [registry],
      collect() { this.set(gauges.bufferedBytes()); },
    });
    new Gauge({
      name: 'x7_bridge_subscriptions', help: 'Conversation subscriptions of open connections', registers: [registry],
      collect() { this.set(gauges.subscriptions()); },
    });
    this.connectionsOpened = counter('x7_bridge_connections_opened_total', 'WebSocket connections accepted');
    this.connectionsRejected = new Counter({ name: 'x7_bridge_connections_rejected_total', help: 'Requests and upgrade requests refused, by reason (host, origin, no_token, bad_token, limit_instance, limit_address, limit_user …)', labelNames: ['reason'] as const, registers: [registry] });
    this.framesReceived = counter('x7_bridge_frames_received_total', 'Client frames received');
    this.framesSent = counter('x7_bridge_frames_sent_total', 'Frames sent to clients');
    this.messagesProduced = counter('x7_bridge_messages_produced_total', 'Client messages acknowledged by Kafka');
    this.eventsConsumed = counter('x7_bridge_events_consumed_total', 'chat.outbound records consumed');
    this.eventsUndecodable = counter('x7_bridge_events_undecodable_total', 'chat.outbound records that could not be decoded (logged, not delivered)');
    this.eventsDelivered = counter('x7_bridge_events_delivered_total', 'Live events offered to local subscribers');
    this.eventsReplayed = counter('x7_bridge_events_replayed_total', 'Events sent from history on subscribe');
    this.errorsSent = new Counter({ name: 'x7_bridge_errors_sent_total', help: 'Error frames sent, by code', labelNames: ['code'] as const, registers: [registry] });
    this.slowConsumersDropped = counter('x7_bridge_slow_consumers_dropped_total', 'Connections dropped because they did not keep up (slow consumers)');
    this.bufferBudgetDrops = counter('x7_bridge_buffer_budget_drops_total', 'Slow consumers dropped because the instance\'s queued bytes passed X7_MAX_BUFFERED_BYTES_TOTAL (also in x7_bridge_slow_consumers_dropped_total)');
    this.dependencyFailures = counter('x7_bridge_dependency_failures_total', 'Calls that failed because a dependency was unavailable');
  }

  countError(code: string): void {
    this.errorsSent.inc({ code });
  }

  countRejection(reason: string): void {
    this.connectionsRejected.inc({ reason });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The value of one sample in Prometheus text (tests and tools): name and labels must match exactly. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const m of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[m[1]!] = m[2]!;
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([k, v]) => found[k] === v)) return Number(match[4]);
  }
  return undefined;
}
