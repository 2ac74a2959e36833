// The workflow manager: how the rest of x7-stream (the pipeline's workflow stage, the
// dashboard's tools, `x7 workflows`, the worker's running gauge) starts, lists,
// describes, measures and cancels workflows. A thin layer over @temporalio/client that
// adds what the design asks for:
//  - inputs are validated before anything starts (a naive callback time never
//    reaches Temporal);
//  - starting is idempotent by workflow id, which is derived from the event that
//    caused it, so a redelivered chat message finds the run it already started;
//  - an unreachable Temporal is a DependencyUnavailableError (pause and retry), never
//    "no workflow".
// Listing, counting and describing are visibility.ts's, on the manager's task queue.
import { randomUUID } from 'node:crypto';
import { Client, Connection, isGrpcServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { connectTemporalClient } from './connection.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { parseTraceparent } from '../observability/trace.js';
import { accessRefusal } from '../pipeline/access-errors.js';
import { DependencyUnavailableError } from '../pipeline/errors.js';
import { describeExecution, temporalError, WORKFLOW_TYPE_NAMES } from './temporal.js';
import type { WorkflowInputs, WorkflowKind } from './types.js';
import { InvalidWorkflowInputError, validateWorkflowInput, WORKFLOW_KINDS } from './validate.js';
import {
  notOurs, WorkflowVisibility, type ListOptions, type WorkflowCounts, type WorkflowDetails, type WorkflowFilter, type WorkflowList,
  type WorkflowMetrics, type WorkflowSummary,
} from './visibility.js';
import { cancelSignal } from './workflows.js';

export { isTemporalUnavailable, WORKFLOW_EVENT_TYPES, WORKFLOW_TYPE_NAMES } from './temporal.js';

const PAST_CALLBACK_GRACE_MS = 60_000;

export interface StartResult {
  workflowId: string;
  runId: string;
  /** True when a workflow with this id already existed: nothing new was started. */
  alreadyStarted: boolean;
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

/** The reservation workflow of a booking: one per booking, so a booking row names its workflow. */
export function reservationWorkflowId(bookingId: string): string {
  return `reservation-${bookingId}`;
}

/** The workflow id for an input when the caller gives none: one per causing booking or event. */
export function defaultWorkflowId<K extends WorkflowKind>(kind: K, input: WorkflowInputs[K]): string {
  switch (kind) {
    case 'reservation':
      return reservationWorkflowId((input as WorkflowInputs['reservation']).bookingId);
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
  config: Pick<Config, 'temporalAddress' | 'temporalTls' | 'temporalApiKey' | 'temporalNamespace' | 'taskQueue' | 'reminderLeadMinutes'>;
  logger?: Logger;
}

export class WorkflowManager {
  private reader: WorkflowVisibility | undefined;

  private constructor(
    private readonly client: Client,
    private readonly connection: Connection | null,
    private readonly config: ManagerOptions['config'],
    private readonly logger?: Logger,
  ) {}

  /**
   * Connects to Temporal (TLS and API key as configured, connection.ts); throws
   * DependencyUnavailableError when it cannot be reached, AccessRefusedError (one of
   * those) when it refuses the credentials or its certificate is not trusted.
   */
  static async connect(options: ManagerOptions): Promise<WorkflowManager> {
    const { config } = options;
    const connection = await connectTemporalClient(config);
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
      throw accessRefusal(error, 'temporal') ?? new DependencyUnavailableError('temporal', `${this.config.temporalAddress}: ${message}`, { cause: error });
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
        // Memo: shown by list/describe, and how visibility.ts filters by business
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

  /** Visibility of this manager's task queue (see visibility.ts). */
  get visibility(): WorkflowVisibility {
    return (this.reader ??= new WorkflowVisibility(this.client, this.config));
  }

  countWorkflows(): Promise<WorkflowCounts> {
    return this.visibility.countWorkflows();
  }

  countRunning(): Promise<Record<WorkflowKind, number>> {
    return this.visibility.countRunning();
  }

  getWorkflowMetrics(options?: { since?: Date; maxClosed?: number }): Promise<WorkflowMetrics> {
    return this.visibility.getWorkflowMetrics(options);
  }

  listWorkflows(filter?: WorkflowFilter, options?: ListOptions): Promise<WorkflowList> {
    return this.visibility.listWorkflows(filter, options);
  }

  /** Running workflows of this task queue, optionally of one business. */
  getActiveWorkflows(filter?: { businessId?: string }): Promise<WorkflowSummary[]> {
    return this.visibility.getActiveWorkflows(filter);
  }

  findWorkflow(workflowId: string): Promise<WorkflowSummary | null> {
    return this.visibility.findWorkflow(workflowId);
  }

  describeWorkflow(workflowId: string, options?: { queryTimeoutMs?: number }): Promise<WorkflowDetails> {
    return this.visibility.describeWorkflow(workflowId, options);
  }

  /**
   * Cancels a running workflow of this task queue (another queue's is not found). A
   * reservation gets the `cancel` signal with the reason, so it cancels its booking row
   * and tells the customer why; the others get a Temporal cancellation request carrying
   * the reason (kept in their history). Throws WorkflowNotFoundError or
   * WorkflowNotRunningError when there is nothing to cancel.
   */
  async cancelWorkflow(workflowId: string, reason: string): Promise<CancelResult> {
    const description = await this.describe(workflowId);
    if (description.taskQueue !== this.config.taskQueue) throw notOurs(workflowId, this.config.taskQueue);
    if (description.status.name !== 'RUNNING') throw new WorkflowNotRunningError(workflowId, description.status.name);
    const handle = this.client.workflow.getHandle(workflowId, description.runId);
    const method = description.type === WORKFLOW_TYPE_NAMES.reservation ? 'signal' : 'cancel';
    try {
      if (method === 'signal') {
        await handle.signal(cancelSignal, reason);
      } else {
        // handle.cancel() has no reason; the service's request does.
        await this.client.workflowService.requestCancelWorkflowExecution({
          namespace: this.config.temporalNamespace,
          workflowExecution: { workflowId, runId: description.runId },
          identity: this.client.options.identity,
          requestId: randomUUID(),
          reason,
        });
      }
    } catch (error) {
      // It ended between the describe and the request.
      if (isGrpcServiceError(error) && error.code === 5) throw new WorkflowNotRunningError(workflowId, 'COMPLETED');
      if (error instanceof WorkflowNotFoundError) throw new WorkflowNotRunningError(workflowId, 'COMPLETED');
      throw temporalError(error, this.config.temporalAddress);
    }
    this.logger?.info({ workflowId, runId: description.runId, method, reason }, 'workflow cancellation requested');
    return { workflowId, runId: description.runId, method };
  }

  private describe(workflowId: string) {
    return describeExecution(this.client, workflowId, this.config.temporalAddress);
  }
}
