// The read side of x7's workflows: Temporal's visibility API, always scoped to one task
// queue (the operators' `x7 workflows`, the dashboard's tools, the worker's running
// gauge). Task queue, type, status and start/close times are filtered by the server
// (the SQL-like visibility query); the business is filtered here, from the memo every
// start writes, while following the pages: a custom search attribute would let the
// server do it, but every namespace (and every fresh dev server) would first have to
// register it, and runs started before would not carry it.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { Config } from '../config.js';
import { describeExecution, KIND_OF_TYPE, literal, temporalError, WORKFLOW_EVENT_TYPES, WORKFLOW_TYPE_NAMES } from './temporal.js';
import type { WorkflowKind, WorkflowState } from './types.js';
import { WORKFLOW_KINDS } from './validate.js';
import { cancelSignal, statusQuery } from './workflows.js';

/** Execution statuses as Temporal's visibility queries spell them. */
export const EXECUTION_STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
/** The closed statuses that mean something went wrong. */
export const FAILURE_STATUSES: readonly ExecutionStatus[] = ['Failed', 'TimedOut', 'Terminated'];

const squash = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, '');
const STATUS_WORDS = new Map<string, ExecutionStatus>([
  ...EXECUTION_STATUSES.map((s) => [squash(s), s] as const),
  ['cancelled', 'Canceled'],
]);
const KIND_WORDS = new Map<string, WorkflowKind>(WORKFLOW_KINDS.flatMap((kind) => [
  [squash(kind), kind] as const,
  [squash(WORKFLOW_TYPE_NAMES[kind]), kind] as const,
  [squash(WORKFLOW_EVENT_TYPES[kind]), kind] as const,
]));

/** "running", "Canceled", "cancelled", "timed-out" … → the visibility name; undefined when it names none. */
export function parseExecutionStatus(text: string): ExecutionStatus | undefined {
  return STATUS_WORDS.get(squash(text));
}

/** "reservation", "reservationWorkflow", "VOICE_CALLBACK", "voice-callback" … → the kind; undefined when it names none. */
export function parseWorkflowKind(text: string): WorkflowKind | undefined {
  return KIND_WORDS.get(squash(text));
}

/** One workflow as visibility lists it, with what its start wrote in the memo. */
export interface WorkflowSummary {
  workflowId: string;
  runId: string;
  /** Null for a workflow type x7 does not start (something else on the task queue). */
  kind: WorkflowKind | null;
  workflowType: string;
  /** Temporal's execution status: Running, Completed, Failed, Canceled, Terminated, TimedOut … */
  status: string;
  startTime: Date;
  closeTime: Date | null;
  businessId: string | null;
  conversationId: string | null;
  /** eventId of the chat message that caused it. */
  causationId: string | null;
}

/** What to list: every field narrows; none lists the whole task queue. */
export interface WorkflowFilter {
  kind?: WorkflowKind;
  /** One status, or any of several. */
  status?: ExecutionStatus | readonly ExecutionStatus[];
  /** From the memo: filtered here while following the pages (see the header). */
  businessId?: string;
  /** Closed at or after (closed workflows only). */
  closedSince?: Date;
}

export interface ListOptions {
  /** At most this many workflows are returned (default: all). */
  limit?: number;
  /** Visibility page size (default 100). */
  pageSize?: number;
  /** Called after each page with the number of workflows read so far. */
  onPage?: (scanned: number) => void;
}

export interface WorkflowList {
  workflows: WorkflowSummary[];
  /** More workflows matched than `limit` let through. */
  more: boolean;
  /** Workflows read from visibility (more than returned when filtering by business). */
  scanned: number;
}

/** A pending activity of a running workflow: what it is waiting for. */
export interface PendingActivity {
  activityType: string;
  attempt: number;
  /** The last attempt's failure, when it failed (a dependency that is down, say). */
  lastFailure: string | null;
}

export interface WorkflowDetails extends WorkflowSummary {
  taskQueue: string;
  historyLength: number;
  pendingActivities: PendingActivity[];
  /** Why it was asked to stop: the reason of a cancel signal or cancellation request, or of a termination. */
  cancelReason: string | null;
  /** How a failed or timed-out run failed (the innermost cause's message). */
  failure: string | null;
  /** The workflow's own `status` query (STARTED, CONFIRMED, REMINDER_SENT …); null when no worker answered. */
  state: WorkflowState | null;
}

/** Execution status names as Temporal's visibility reports them: Running, Completed, Failed, … */
export type StatusCounts = Record<string, number>;

/** Start-to-close times of the workflows of one kind that closed in a window. */
export interface DurationStats {
  closed: number;
  /** Of those, Failed, TimedOut or Terminated. */
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface RecentFailure {
  workflowId: string;
  kind: WorkflowKind | null;
  status: string;
  closeTime: Date | null;
  businessId: string | null;
}

export interface WorkflowCounts {
  taskQueue: string;
  total: number;
  byStatus: StatusCounts;
  byKind: Record<WorkflowKind, { total: number; byStatus: StatusCounts }>;
}

export interface WorkflowMetrics extends WorkflowCounts {
  /** Workflows that closed since `since`: durations and failures per kind. */
  window: {
    since: Date;
    byKind: Record<WorkflowKind, DurationStats>;
    /** The newest failures of the window, newest first (at most 10). */
    recentFailures: RecentFailure[];
    /** True when more closed workflows than `maxClosed` fell in the window: the durations are of the newest ones. */
    sampled: boolean;
  };
}

export class WorkflowVisibility {
  constructor(
    private readonly client: Client,
    private readonly config: Pick<Config, 'temporalAddress' | 'taskQueue'>,
  ) {}

  /** Counts of this task queue's workflows by kind and execution status (Running, Completed, …), from visibility. */
  async countWorkflows(): Promise<WorkflowCounts> {
    const counts: WorkflowCounts = {
      taskQueue: this.config.taskQueue,
      total: 0,
      byStatus: {},
      byKind: Object.fromEntries(WORKFLOW_KINDS.map((k) => [k, { total: 0, byStatus: {} }])) as WorkflowCounts['byKind'],
    };
    try {
      // Visibility groups by ExecutionStatus only, so one count per workflow type.
      for (const kind of WORKFLOW_KINDS) {
        const result = await this.client.workflow.count(`${this.query({ kind })} GROUP BY ExecutionStatus`);
        const entry = counts.byKind[kind];
        for (const group of result.groups) {
          const status = String(group.groupValues[0] ?? 'Unknown');
          entry.byStatus[status] = (entry.byStatus[status] ?? 0) + group.count;
          counts.byStatus[status] = (counts.byStatus[status] ?? 0) + group.count;
        }
        entry.total = result.count;
        counts.total += result.count;
      }
    } catch (error) {
      throw temporalError(error, this.config.temporalAddress);
    }
    return counts;
  }

  /** Running workflows of this task queue per kind (the worker's x7_workflows_running gauge). */
  async countRunning(): Promise<Record<WorkflowKind, number>> {
    const running = {} as Record<WorkflowKind, number>;
    try {
      for (const kind of WORKFLOW_KINDS) running[kind] = (await this.client.workflow.count(this.query({ kind, status: 'Running' }))).count;
    } catch (error) {
      throw temporalError(error, this.config.temporalAddress);
    }
    return running;
  }

  /**
   * The counts, plus what closed since `since` (default: the last 24 hours): durations
   * from start to close and failures per kind, and the newest failures. Durations are
   * computed from at most `maxClosed` closed workflows per kind, the newest.
   */
  async getWorkflowMetrics(options: { since?: Date; maxClosed?: number } = {}): Promise<WorkflowMetrics> {
    const since = options.since ?? new Date(Date.now() - 24 * 3_600_000);
    const maxClosed = options.maxClosed ?? 10_000;
    const counts = await this.countWorkflows();
    const byKind = {} as Record<WorkflowKind, DurationStats>;
    const failures: RecentFailure[] = [];
    let sampled = false;
    for (const kind of WORKFLOW_KINDS) {
      const closed = await this.listWorkflows({ kind, closedSince: since }, { limit: maxClosed, pageSize: 1_000 });
      sampled ||= closed.more;
      const durations = closed.workflows.filter((w) => w.closeTime).map((w) => w.closeTime!.getTime() - w.startTime.getTime()).sort((a, b) => a - b);
      const failed = closed.workflows.filter((w) => (FAILURE_STATUSES as readonly string[]).includes(w.status));
      byKind[kind] = {
        closed: closed.workflows.length,
        failed: failed.length,
        p50Ms: percentile(durations, 0.5),
        p95Ms: percentile(durations, 0.95),
        maxMs: durations.length > 0 ? durations[durations.length - 1]! : null,
      };
      failures.push(...failed.map((w) => ({ workflowId: w.workflowId, kind: w.kind, status: w.status, closeTime: w.closeTime, businessId: w.businessId })));
    }
    failures.sort((a, b) => (b.closeTime?.getTime() ?? 0) - (a.closeTime?.getTime() ?? 0));
    return { ...counts, window: { since, byKind, recentFailures: failures.slice(0, 10), sampled } };
  }

  /**
   * Workflows of this task queue that match `filter`, newest first (running ones
   * first), following visibility's pages until `limit` are found or none are left.
   */
  async listWorkflows(filter: WorkflowFilter = {}, options: ListOptions = {}): Promise<WorkflowList> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const pageSize = options.pageSize ?? 100;
    const workflows: WorkflowSummary[] = [];
    let scanned = 0;
    let more = false;
    try {
      for await (const info of this.client.workflow.list({ query: this.query(filter), pageSize })) {
        scanned += 1;
        if (options.onPage && scanned % pageSize === 0) options.onPage(scanned);
        const item = summaryOf(info);
        if (filter.businessId !== undefined && item.businessId !== filter.businessId) continue;
        if (workflows.length >= limit) {
          more = true;
          break;
        }
        workflows.push(item);
      }
    } catch (error) {
      throw temporalError(error, this.config.temporalAddress);
    }
    options.onPage?.(scanned);
    return { workflows, more, scanned };
  }

  /** Running workflows of this task queue, optionally of one business. */
  async getActiveWorkflows(filter: { businessId?: string } = {}): Promise<WorkflowSummary[]> {
    return (await this.listWorkflows({ ...filter, status: 'Running' })).workflows;
  }

  /** One workflow of this task queue by id (its latest run), as the list shows it; null when there is none. */
  async findWorkflow(workflowId: string): Promise<WorkflowSummary | null> {
    try {
      const description = await describeExecution(this.client, workflowId, this.config.temporalAddress);
      return description.taskQueue === this.config.taskQueue ? summaryOf(description) : null;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  /**
   * One workflow, by id (its latest run): the summary, what it waits for, why it was
   * cancelled or how it failed, and its own status query when a worker answers within
   * `queryTimeoutMs`. Throws WorkflowNotFoundError for an unknown id, and for a
   * workflow of another task queue (not ours to show).
   */
  async describeWorkflow(workflowId: string, options: { queryTimeoutMs?: number } = {}): Promise<WorkflowDetails> {
    const description = await describeExecution(this.client, workflowId, this.config.temporalAddress);
    if (description.taskQueue !== this.config.taskQueue) throw notOurs(workflowId, this.config.taskQueue);
    const handle = this.client.workflow.getHandle(workflowId, description.runId);
    let events: temporal.api.history.v1.IHistoryEvent[];
    try {
      events = (await handle.fetchHistory()).events ?? [];
    } catch (error) {
      throw temporalError(error, this.config.temporalAddress);
    }
    const pendingActivities = (description.raw.pendingActivities ?? []).map((a) => ({
      activityType: a.activityType?.name ?? 'unknown',
      attempt: a.attempt ?? 1,
      lastFailure: a.lastFailure ? innermostMessage(a.lastFailure) : null,
    }));
    return {
      ...summaryOf(description),
      taskQueue: description.taskQueue,
      historyLength: description.historyLength,
      pendingActivities,
      ...closingOf(events),
      state: await this.queryState(handle, options.queryTimeoutMs ?? 2_000),
    };
  }

  /** The visibility query for `filter`, within this task queue (the business is not in it: see the header). */
  private query(filter: WorkflowFilter): string {
    const terms = [`TaskQueue = ${literal(this.config.taskQueue)}`];
    if (filter.kind) terms.push(`WorkflowType = ${literal(WORKFLOW_TYPE_NAMES[filter.kind])}`);
    if (typeof filter.status === 'string') terms.push(`ExecutionStatus = ${literal(filter.status)}`);
    else if (filter.status && filter.status.length > 0) terms.push(`ExecutionStatus IN (${filter.status.map(literal).join(', ')})`);
    if (filter.closedSince) terms.push(`CloseTime >= ${literal(filter.closedSince.toISOString())}`, `ExecutionStatus != 'Running'`);
    return terms.join(' AND ');
  }

  private async queryState(handle: WorkflowHandle, timeoutMs: number): Promise<WorkflowState | null> {
    const connection = this.client.connection;
    try {
      return await connection.withDeadline(Date.now() + timeoutMs, () => handle.query(statusQuery));
    } catch {
      // No worker polling (or the query timed out): the rest of the description stands.
      return null;
    }
  }
}

/** Another task queue's workflow: not ours to show or cancel, so as if it did not exist. */
export function notOurs(workflowId: string, taskQueue: string): WorkflowNotFoundError {
  return new WorkflowNotFoundError(`no workflow ${workflowId} on task queue ${taskQueue}`, workflowId, undefined);
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** The message a person should read: the innermost cause's (an activity's, not "Activity task failed"). */
function innermostMessage(failure: temporal.api.failure.v1.IFailure): string {
  let f = failure;
  while (f.cause) f = f.cause;
  return f.message ?? failure.message ?? 'failed';
}

function payloadText(payloads: temporal.api.common.v1.IPayloads | null | undefined): string | null {
  const first = payloads?.payloads?.[0];
  if (!first) return null;
  try {
    const value = defaultPayloadConverter.fromPayload(first as Payload);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Why a run was asked to stop, and how it failed, from its history. */
function closingOf(events: readonly temporal.api.history.v1.IHistoryEvent[]): { cancelReason: string | null; failure: string | null } {
  let cancelReason: string | null = null;
  let failure: string | null = null;
  for (const e of events) {
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === cancelSignal.name) cancelReason ??= payloadText(signal.input);
    const request = e.workflowExecutionCancelRequestedEventAttributes;
    if (request) cancelReason ??= request.cause || null;
    const terminated = e.workflowExecutionTerminatedEventAttributes;
    if (terminated) cancelReason ??= terminated.reason || 'terminated';
    const failed = e.workflowExecutionFailedEventAttributes;
    if (failed?.failure) failure = innermostMessage(failed.failure);
    if (e.workflowExecutionTimedOutEventAttributes) failure = 'timed out';
  }
  return { cancelReason, failure };
}

function summaryOf(info: Omit<WorkflowExecutionInfo, 'raw'>): WorkflowSummary {
  const memo = info.memo ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    kind: KIND_OF_TYPE.get(info.type) ?? null,
    workflowType: info.type,
    status: visibilityStatus(info.status.name),
    startTime: info.startTime,
    closeTime: info.closeTime ?? null,
    businessId: text(memo.businessId),
    conversationId: text(memo.conversationId),
    causationId: text(memo.causationId),
  };
}

/** RUNNING, CANCELLED, TIMED_OUT (the SDK's names) → Running, Canceled, TimedOut (visibility's). */
function visibilityStatus(name: string): string {
  return parseExecutionStatus(name) ?? name;
}
