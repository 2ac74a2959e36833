// The workflow stage: starts and cancels the workflows agents asked for.
//
// Idempotent by construction: a start names its workflow id (derived from the
// booking or the event), and the manager finds the run already started under that
// id instead of starting another; a cancel of a workflow that has already ended or
// never existed has nothing left to do. Temporal being down is a
// DependencyUnavailableError from the manager, which the runtime retries.
import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowNotRunningError } from '../../src/workflows/manager.js';
import type { WorkflowRequest } from './agent.js';
import type { WorkflowStarter } from './deps.js';

export interface WorkflowOutcome {
  action: 'start' | 'cancel';
  workflowId: string;
  /** started: new run; existing: it was already started (a retry); cancelled; not-running. */
  result: 'started' | 'existing' | 'cancelled' | 'not-running';
  runId: string | null;
}

export async function runWorkflowRequests(
  workflows: WorkflowStarter,
  requests: readonly WorkflowRequest[],
  options: { traceparent?: string } = {},
): Promise<WorkflowOutcome[]> {
  const outcomes: WorkflowOutcome[] = [];
  // In order: a replaced booking's old workflow is cancelled before the new one starts.
  for (const request of requests) {
    if (request.action === 'cancel') {
      try {
        const cancelled = await workflows.cancelWorkflow(request.workflowId, request.reason);
        outcomes.push({ action: 'cancel', workflowId: request.workflowId, result: 'cancelled', runId: cancelled.runId });
      } catch (error) {
        if (!(error instanceof WorkflowNotRunningError || error instanceof WorkflowNotFoundError)) throw error;
        outcomes.push({ action: 'cancel', workflowId: request.workflowId, result: 'not-running', runId: null });
      }
      continue;
    }
    // The union is correlated per kind; TypeScript cannot see it through the call.
    const started = await workflows.startWorkflow(request.kind, request.input as never, {
      ...(request.workflowId ? { workflowId: request.workflowId } : {}),
      ...(options.traceparent ? { traceparent: options.traceparent } : {}),
    });
    outcomes.push({ action: 'start', workflowId: started.workflowId, result: started.alreadyStarted ? 'existing' : 'started', runId: started.runId });
  }
  return outcomes;
}
