// `x7 workflows list | describe | metrics | cancel`: operators' view and control of
// the Temporal workflows of X7_TASK_QUEUE, through the workflow manager (visibility
// queries, the same cancellation path the pipeline uses).
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig, type Config } from '../../config.js';
import { AccessRefusedError } from '../../pipeline/access-errors.js';
import { DependencyUnavailableError } from '../../pipeline/errors.js';
import { WorkflowManager, WorkflowNotRunningError } from '../../workflows/manager.js';
import { WORKFLOW_KINDS } from '../../workflows/validate.js';
import { EXECUTION_STATUSES, parseExecutionStatus, parseWorkflowKind, type WorkflowFilter } from '../../workflows/visibility.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { print, progress } from '../io.js';
import { describeLines, listLines, metricsLines, parseSince } from '../workflows-format.js';

const SCOPE = [
  'Workflows of the task queue X7_TASK_QUEUE (default x7-workflows) in TEMPORAL_NAMESPACE at',
  'TEMPORAL_ADDRESS; another queue\'s workflows are not shown.',
];

/** Something the operator should read instead of a stack: exit 1 with this line. */
class CommandFailure extends Error {}

/**
 * Runs `body` with a manager connected to the configured Temporal, and words the two
 * failures an operator meets: Temporal not answering, and an id that names nothing.
 */
async function withManager<T>(config: Config, body: (manager: WorkflowManager) => Promise<T>): Promise<T> {
  let manager: WorkflowManager | undefined;
  try {
    manager = await WorkflowManager.connect({ config });
    return await body(manager);
  } catch (error) {
    // Temporal answered but refused us (credentials, certificate): its own line names the variables to check.
    if (error instanceof AccessRefusedError) throw new CommandFailure(error.message);
    if (error instanceof DependencyUnavailableError) {
      const why = error.message.replace(/^temporal unavailable: /, '').replace(`${config.temporalAddress}: `, '');
      throw new CommandFailure(`cannot reach Temporal at ${config.temporalAddress} (TEMPORAL_ADDRESS): ${why}`);
    }
    if (error instanceof WorkflowNotFoundError) {
      throw new CommandFailure(`no workflow with id ${error.workflowId} on task queue ${config.taskQueue} (namespace ${config.temporalNamespace})`);
    }
    throw error;
  } finally {
    await manager?.close();
  }
}

/** The command, with CommandFailure printed as one line and exit 1. */
function command(name: string, helpLines: string[], run: (args: string[]) => Promise<number>): Command {
  return {
    help: helpLines.join('\n'),
    async run(args) {
      try {
        return await run(args);
      } catch (error) {
        if (!(error instanceof CommandFailure)) throw error;
        process.stderr.write(`x7 workflows ${name}: ${error.message}\n`);
        return 1;
      }
    },
  };
}

function oneId(positionals: string[]): string {
  if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('give exactly one workflow id');
  return positionals[0]!;
}

const json = (value: unknown) => JSON.stringify(value);

/** A command's help: usage, what it does, the scope every workflows command shares, its options. */
function help(usage: string, about: string[], options: string[]): string[] {
  return [usage, '', ...about, '', ...SCOPE, '', 'options:', ...options];
}

/** The result as one JSON object (--json) or as lines for people. */
function output<T>(asJson: boolean | undefined, value: T, lines: (value: T) => string[]): void {
  if (asJson) print(json(value));
  else for (const line of lines(value)) print(line);
}

// ---------------------------------------------------------------------------

const LIST_OPTIONS = {
  type: { type: 'string' },
  status: { type: 'string' },
  business: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The list filter from the options; UsageError naming what is accepted. */
export function listFilter(values: { type?: string; status?: string; business?: string }): WorkflowFilter {
  const filter: WorkflowFilter = {};
  if (values.type !== undefined) {
    const kind = parseWorkflowKind(values.type);
    if (!kind) throw new UsageError(`--type must be one of ${WORKFLOW_KINDS.join(', ')} (got ${JSON.stringify(values.type)})`);
    filter.kind = kind;
  }
  if (values.status !== undefined) {
    const status = parseExecutionStatus(values.status);
    if (!status) throw new UsageError(`--status must be one of ${EXECUTION_STATUSES.join(', ')} (got ${JSON.stringify(values.status)})`);
    filter.status = status;
  }
  if (values.business !== undefined) {
    if (values.business.trim() === '') throw new UsageError('--business needs a business id');
    filter.businessId = values.business;
  }
  return filter;
}

export function parseLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--limit must be a whole number of at least 1 (got ${JSON.stringify(text)})`);
  return n;
}

export const workflowsListCommand = command('list', help('usage: x7 workflows list [--type T] [--status S] [--business B] [--limit N] [--json]', [
  'Lists workflows, running ones first, then the newest closed, one line each: id, type,',
  'status, start and close (UTC), business and conversation.',
], [
  `  --type T       ${WORKFLOW_KINDS.join(', ')} (or the workflow type name)`,
  `  --status S     ${EXECUTION_STATUSES.join(', ')}`,
  '  --business B   only this business\'s workflows (read from each workflow\'s memo while paging)',
  '  --limit N      show at most N (default 100); a note on stderr says when more matched',
  '  --json         one JSON object: {taskQueue, filter, workflows, more, scanned}',
]), async (args) => {
  const { values } = parseCommandArgs<{ options: typeof LIST_OPTIONS; allowPositionals: false }>(args, { options: LIST_OPTIONS, allowPositionals: false });
  const filter = listFilter(values);
  const limit = parseLimit(values.limit, 100);
  const config = loadConfig();
  const result = await withManager(config, (manager) => {
    progress(`listing workflows of task queue ${config.taskQueue}${values.business ? ` for business ${values.business}` : ''}`);
    // Paging through many workflows of other businesses takes a while: say how far it got.
    const onPage = filter.businessId === undefined ? undefined : (scanned: number) => progress(`read ${scanned} workflows`);
    return manager.listWorkflows(filter, { limit, ...(onPage ? { onPage } : {}) });
  });
  if (values.json) {
    print(json({ taskQueue: config.taskQueue, filter, ...result }));
    return 0;
  }
  for (const line of listLines(result.workflows)) print(line);
  const shown = result.workflows.length;
  progress(`${shown} workflow${shown === 1 ? '' : 's'}${result.more ? `; more matched (raise --limit above ${limit})` : ''}`);
  return 0;
});

// ---------------------------------------------------------------------------

const DESCRIBE_OPTIONS = { json: { type: 'boolean' } } as const;

export const workflowsDescribeCommand = command('describe', help('usage: x7 workflows describe ID [--json]', [
  'Shows one workflow (its latest run): type, status, the workflow\'s own status (CONFIRMED,',
  'REMINDER_SENT … when a worker answers its status query), times, business, conversation,',
  'what it waits for (pending activities and their last failure), and why it was cancelled',
  'or how it failed. An unknown id exits 1.',
], ['  --json   one JSON object instead of text']), async (args) => {
  const { values, positionals } = parseCommandArgs<{ options: typeof DESCRIBE_OPTIONS; allowPositionals: true }>(args, { options: DESCRIBE_OPTIONS, allowPositionals: true });
  const workflowId = oneId(positionals);
  const config = loadConfig();
  const details = await withManager(config, (manager) => manager.describeWorkflow(workflowId));
  output(values.json, details, (d) => describeLines(d, new Date()));
  return 0;
});

// ---------------------------------------------------------------------------

const METRICS_OPTIONS = { since: { type: 'string' }, json: { type: 'boolean' } } as const;

export const workflowsMetricsCommand = command('metrics', help('usage: x7 workflows metrics [--since 24h] [--json]', [
  'Counts of workflows by type and status (all time), then, of those that closed in the',
  'window, how many per type, how many failed (Failed, TimedOut, Terminated), and how long',
  'they took from start to close (p50, p95, max), and the newest failures.',
], [
  '  --since D   the window: minutes, hours or days, e.g. 30m, 24h, 7d (default 24h)',
  '  --json      one JSON object instead of tables',
]), async (args) => {
  const { values } = parseCommandArgs<{ options: typeof METRICS_OPTIONS; allowPositionals: false }>(args, { options: METRICS_OPTIONS, allowPositionals: false });
  const windowMs = values.since === undefined ? 24 * 3_600_000 : parseSince(values.since);
  if (windowMs === undefined) throw new UsageError(`--since must be a number and m, h or d, e.g. 24h (got ${JSON.stringify(values.since)})`);
  const config = loadConfig();
  const metrics = await withManager(config, (manager) => {
    progress(`counting workflows of task queue ${config.taskQueue}`);
    return manager.getWorkflowMetrics({ since: new Date(Date.now() - windowMs) });
  });
  output(values.json, metrics, metricsLines);
  return 0;
});

// ---------------------------------------------------------------------------

const CANCEL_OPTIONS = { reason: { type: 'string' }, json: { type: 'boolean' } } as const;

export const workflowsCancelCommand = command('cancel', help('usage: x7 workflows cancel ID --reason TEXT [--json]', [
  'Cancels a running workflow the way the pipeline does: a reservation gets its "cancel"',
  'signal with the reason, cancels its booking and publishes CANCELLED with the reason to',
  'chat.workflows and to the customer\'s conversation; a management action or a voice',
  'callback gets a Temporal cancellation request carrying the reason (kept in its history,',
  'shown by describe) and publishes CANCELLED. A workflow that has already ended, or an',
  'unknown id, exits 1 and changes nothing.',
], [
  '  --reason TEXT   why (required; a reservation\'s customer reads it)',
  '  --json          one JSON object: {workflowId, runId, method}',
]), async (args) => {
  const { values, positionals } = parseCommandArgs<{ options: typeof CANCEL_OPTIONS; allowPositionals: true }>(args, { options: CANCEL_OPTIONS, allowPositionals: true });
  const workflowId = oneId(positionals);
  const reason = values.reason?.trim();
  if (!reason) throw new UsageError('--reason is required: say why (a reservation\'s customer reads it)');
  const config = loadConfig();
  const cancelled = await withManager(config, async (manager) => {
    try {
      return await manager.cancelWorkflow(workflowId, reason);
    } catch (error) {
      if (error instanceof WorkflowNotRunningError) {
        throw new CommandFailure(`workflow ${workflowId} has already ended (${error.status.toLowerCase().replace(/_/g, ' ')}); nothing to cancel`);
      }
      throw error;
    }
  });
  output(values.json, cancelled, (c) => [`cancelling ${c.workflowId} (run ${c.runId}): ${c.method === 'signal'
    ? 'sent the cancel signal: the reservation cancels its booking and tells the customer'
    : 'requested Temporal cancellation: the workflow publishes CANCELLED'}`]);
  return 0;
});
