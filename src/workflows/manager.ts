// The workflow manager: how the rest of x7-stream (the pipeline's workflow stage,
// operators) starts, lists, measures and cancels workflows. A thin layer over
// @temporalio/client that adds what the design asks for:
//  - inputs are validated before anything starts (a naive callback time never
//    reaches Temporal);
//  - starting is idempotent by workflow id, which is derived from the event that
//    caused it, so a redelivered chat message finds the run it already started;
//  - an unreachable Temporal is a DependencyUnavailableError (pause and retry), never
//    "no workflow".
import {
  Client,
  Connection,
  isGrpcDeadlineError,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { parseTraceparent } from '../observability/trace.js';
import { DependencyUnavailableError, isDependencyFailure } from '../pipeline/errors.js';
import type { WorkflowInputs, WorkflowKind } from './types.js';
import { InvalidWorkflowInputError, validateWorkflowInput, WORKFLOW_KINDS } from './validate.js';
import { cancelSignal } from './workflows.js';

/** Workflow type names (the exported functions of workflows.ts) per kind. */
export const WORKFLOW_TYPE_NAMES: Record<WorkflowKind, string> = {
  reservation: 'reservationWorkflow',
  managementAction: 'managementActionWorkflow',
  voiceCallback: 'voiceCallbackWorkflow',
};
const PAST_CALLBACK_GRACE_MS = 60_000;
const KIND_OF_TYPE = new Map(Object.entries(WORKFLOW_TYPE_NAMES).map(([kind, type]) => [type, kind as WorkflowKind]));

export interface StartResult {
  workflowId: string;
  runId: string;
  /** True when a workflow with this id already existed: nothing new was started. */
  alreadyStarted: boolean;
}

export interface ActiveWorkflow {
  workflowId: string;
  runId: string;
  kind: WorkflowKind | null;
  workflowType: string;
  startTime: Date;
  businessId: string | null;
  conversationId: string | null;
}

/** Execution status names as Temporal's visibility reports them: Running, Completed, Failed, … */
export type StatusCounts = Record<string, number>;

export interface WorkflowMetrics {
  taskQueue: string;
  total: number;
  byStatus: StatusCounts;
  byKind: Record<WorkflowKind, { total: number; byStatus: StatusCounts }>;
}

export interface CancelResult {
  workflowId: string;
  runId: string;
  /** `signal`: a reservation cancels its booking itself; `cancel`: a Temporal cancellation request. */
  method: 'signal' | 'cancel';
}

/** The workflow exists but has already ended, so there is nothing to cancel. */
export class WorkflowNotRunningError extends Error {
  override name = 'WorkflowNotRunningError';
  constructor(readonly workflowId: string, readonly status: string) {
    super(`workflow ${workflowId} is not running (it is ${status.toLowerCase()})`);
  }
}

/** True for errors that mean "Temporal cannot be reached right now". */
export function isTemporalUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = (e as Error).cause, depth++) {
    // gRPC 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED.
    if (isGrpcServiceError(e) && (e.code === 14 || e.code === 4)) return true;
    if (isGrpcDeadlineError(e as unknown)) return true;
    if (/Failed to connect before the deadline|No connection established|ECONNREFUSED|UNAVAILABLE/i.test(e.message)) return true;
    if (isDependencyFailure(e)) return true;
  }
  return false;
}

function temporalError(error: unknown, address: string): unknown {
  if (error instanceof DependencyUnavailableError || !isTemporalUnavailable(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DependencyUnavailableError('temporal', `${address}: ${message}`, { cause: error });
}

/** A string literal for a visibility query. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The workflow id for an input when the caller gives none: one per causing booking or event. */
export function defaultWorkflowId<K extends WorkflowKind>(kind: K, input: WorkflowInputs[K]): string {
  switch (kind) {
    case 'reservation':
      return `reservation-${(input as WorkflowInputs['reservation']).bookingId}`;
    case 'managementAction':
    case 'voiceCallback': {
      const causationId = (input as WorkflowInputs['managementAction'] | WorkflowInputs['voiceCallback']).causationId;
      if (!causationId) {
        throw new InvalidWorkflowInputError('workflowId', 'give a workflowId, or a causationId (the chat message eventId) to derive it from');
      }
      return `${kind === 'managementAction' ? 'management' : 'voice-callback'}-${causationId}`;
    }
    default:
      throw new InvalidWorkflowInputError('kind', `expected one of ${WORKFLOW_KINDS.join(', ')}`);
  }
}

export interface ManagerOptions {
  config: Pick<Config, 'temporalAddress' | 'temporalNamespace' | 'taskQueue' | 'reminderLeadMinutes'>;
  logger?: Logger;
}

export class WorkflowManager {
  private constructor(
    private readonly client: Client,
    private readonly connection: Connection | null,
    private readonly config: ManagerOptions['config'],
    private readonly logger?: Logger,
  ) {}

  /** Connects to Temporal; throws DependencyUnavailableError when it cannot be reached. */
  static async connect(options: ManagerOptions): Promise<WorkflowManager> {
    const { config } = options;
    let connection: Connection;
    try {
      connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '5 seconds' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DependencyUnavailableError('temporal', `${config.temporalAddress}: ${message}`, { cause: error });
    }
    const client = new Client({ connection, namespace: config.temporalNamespace });
    return new WorkflowManager(client, connection, config, options.logger);
  }

  /** Over an existing client (its connection stays the caller's). */
  static fromClient(client: Client, options: ManagerOptions): WorkflowManager {
    return new WorkflowManager(client, null, options.config, options.logger);
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  /** Resolves when Temporal answers (readiness probes); throws DependencyUnavailableError when it does not. */
  async ping(timeoutMs = 3_000): Promise<void> {
    const connection = this.client.connection;
    try {
      await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DependencyUnavailableError('temporal', `${this.config.temporalAddress}: ${message}`, { cause: error });
    }
  }

  /**
   * Starts a workflow, or finds the one already started under the same id. The id is
   * never reused (REJECT_DUPLICATE): a replayed chat message whose reservation already
   * completed must not book the table again. Bad input throws InvalidWorkflowInputError
   * before anything starts. `traceparent` (W3C) joins the workflow to the trace of the
   * message that caused it: it travels in the input, and the records the workflow
   * publishes carry a child span of it.
   */
  async startWorkflow<K extends WorkflowKind>(
    kind: K,
    input: WorkflowInputs[K],
    options: { workflowId?: string; traceparent?: string | null } = {},
  ): Promise<StartResult> {
    // A callback time a little behind our clock is a producer's "now" plus transit, not a
    // mistake; one further back is (the caller meant another day or another zone).
    const notBefore = new Date(Date.now() - PAST_CALLBACK_GRACE_MS);
    const validated = validateWorkflowInput(kind, input, { now: notBefore, reminderLeadMinutes: this.config.reminderLeadMinutes });
    const workflowId = options.workflowId ?? defaultWorkflowId(kind, validated);
    if (workflowId.trim() === '' || workflowId.length > 255) throw new InvalidWorkflowInputError('workflowId', 'expected 1 to 255 characters');
    const type = WORKFLOW_TYPE_NAMES[kind];
    const v = validated as { businessId: string; conversationId: string; causationId?: string | null };
    // An invalid traceparent is dropped (the spec: start afresh), never a reason to refuse the start.
    const traceparent = options.traceparent ?? (input as { traceparent?: string | null }).traceparent ?? null;
    const args = parseTraceparent(traceparent) ? { ...validated, traceparent } : validated;
    try {
      const handle = await this.client.workflow.start(type, {
        taskQueue: this.config.taskQueue,
        workflowId,
        args: [args],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        // Memo: shown by list/describe, and how getActiveWorkflows filters by business
        // without a custom search attribute that each namespace would have to register.
        memo: { kind, businessId: v.businessId, conversationId: v.conversationId, causationId: v.causationId ?? null },
      });
      this.logger?.info({ workflowId, runId: handle.firstExecutionRunId, kind, conversationId: v.conversationId }, 'workflow started');
      return { workflowId, runId: handle.firstExecutionRunId, alreadyStarted: false };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw temporalError(error, this.config.temporalAddress);
    }
    const existing = await this.describe(workflowId);
    if (existing.type !== type) {
      throw new InvalidWorkflowInputError('workflowId', `${workflowId} already names a ${existing.type}, not a ${type}`);
    }
    this.logger?.info({ workflowId, runId: existing.runId, kind, status: existing.status.name }, 'workflow already started');
    return { workflowId, runId: existing.runId, alreadyStarted: true };
  }

  /** Counts of this task queue's workflows by kind and execution status (Running, Completed, …). */
  async getWorkflowMetrics(): Promise<WorkflowMetrics> {
    const metrics: WorkflowMetrics = {
      taskQueue: this.config.taskQueue,
      total: 0,
      byStatus: {},
      byKind: Object.fromEntries(WORKFLOW_KINDS.map((k) => [k, { total: 0, byStatus: {} }])) as WorkflowMetrics['byKind'],
    };
    try {
      for (const kind of WORKFLOW_KINDS) {
        const result = await this.client.workflow.count(
          `TaskQueue = ${literal(this.config.taskQueue)} AND WorkflowType = ${literal(WORKFLOW_TYPE_NAMES[kind])} GROUP BY ExecutionStatus`,
        );
        const entry = metrics.byKind[kind];
        for (const group of result.groups) {
          const status = String(group.groupValues[0] ?? 'Unknown');
          entry.byStatus[status] = (entry.byStatus[status] ?? 0) + group.count;
          metrics.byStatus[status] = (metrics.byStatus[status] ?? 0) + group.count;
        }
        entry.total = result.count;
        metrics.total += result.count;
      }
    } catch (error) {
      throw temporalError(error, this.config.temporalAddress);
    }
    return metrics;
  }

  /** Running workflows of this task queue, optionally of one business. */
  async getActiveWorkflows(filter: { businessId?: string } = {}): Promise<ActiveWorkflow[]> {
    const query = `TaskQueue = ${literal(this.config.taskQueue)} AND ExecutionStatus = 'Running'`;
    const active: ActiveWorkflow[] = [];
    try {
      for await (const info of this.client.workflow.list({ query })) {
        const item = toActive(info);
        if (filter.businessId === undefined || item.businessId === filter.businessId) active.push(item);
      }
    } catch (error) {
      throw temporalError(error, this.config.temporalAddress);
    }
    return active;
  }

  /**
   * Cancels a running workflow. A reservation gets the `cancel` signal, so it cancels
   * its booking row and tells the customer; the others get a Temporal cancellation.
   * Throws WorkflowNotFoundError or WorkflowNotRunningError when there is nothing to cancel.
   */
  async cancelWorkflow(workflowId: string, reason: string): Promise<CancelResult> {
    const description = await this.describe(workflowId);
    if (description.status.name !== 'RUNNING') throw new WorkflowNotRunningError(workflowId, description.status.name);
    const handle = this.client.workflow.getHandle(workflowId, description.runId);
    const method = description.type === WORKFLOW_TYPE_NAMES.reservation ? 'signal' : 'cancel';
    try {
      if (method === 'signal') await handle.signal(cancelSignal, reason);
      else await handle.cancel();
    } catch (error) {
      throw temporalError(error, this.config.temporalAddress);
    }
    this.logger?.info({ workflowId, runId: description.runId, method, reason }, 'workflow cancellation requested');
    return { workflowId, runId: description.runId, method };
  }

  private async describe(workflowId: string) {
    try {
      return await this.client.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw error;
      throw temporalError(error, this.config.temporalAddress);
    }
  }
}

function toActive(info: WorkflowExecutionInfo): ActiveWorkflow {
  const memo = info.memo ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    kind: KIND_OF_TYPE.get(info.type) ?? null,
    workflowType: info.type,
    startTime: info.startTime,
    businessId: text(memo.businessId),
    conversationId: text(memo.conversationId),
  };
}
