// What the client side of x7's workflows shares: the workflow type names as Temporal
// knows them, and how a Temporal outage is told from an answer (the manager, which
// starts and cancels, and the visibility reader, which lists and describes, both use it).
import { isGrpcDeadlineError, isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WorkflowType } from '../events.js';
import { accessRefusal } from '../pipeline/access-errors.js';
import { DependencyUnavailableError, isDependencyFailure } from '../pipeline/errors.js';
import type { WorkflowKind } from './types.js';

/** Workflow type names (the exported functions of workflows.ts) per kind. */
export const WORKFLOW_TYPE_NAMES: Record<WorkflowKind, string> = {
  reservation: 'reservationWorkflow',
  managementAction: 'managementActionWorkflow',
  voiceCallback: 'voiceCallbackWorkflow',
};
/** The WorkflowEvent type each kind publishes (`x7_workflows_*{workflow_type}` labels). */
export const WORKFLOW_EVENT_TYPES: Record<WorkflowKind, WorkflowType> = {
  reservation: 'RESERVATION',
  managementAction: 'MANAGEMENT_ACTION',
  voiceCallback: 'VOICE_CALLBACK',
};
/** Workflow type name → kind (absent: a type x7 does not start). */
export const KIND_OF_TYPE: ReadonlyMap<string, WorkflowKind> = new Map(Object.entries(WORKFLOW_TYPE_NAMES).map(([kind, type]) => [type, kind as WorkflowKind]));

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

export function temporalError(error: unknown, address: string): unknown {
  if (error instanceof DependencyUnavailableError) return error;
  // Refused credentials (an expired API key …): retried like an outage, and named as what it is.
  const refused = accessRefusal(error, 'temporal');
  if (refused) return refused;
  if (!isTemporalUnavailable(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DependencyUnavailableError('temporal', `${address}: ${message}`, { cause: error });
}

/** A string literal for a visibility query. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The latest run of `workflowId`; WorkflowNotFoundError when there is none, DependencyUnavailableError when Temporal does not answer. */
export async function describeExecution(client: Client, workflowId: string, address: string) {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw error;
    throw temporalError(error, address);
  }
}
