// Ids of the records a workflow publishes.
//
// An activity may run more than once for one status change (a timeout after the
// broker took the records, a worker crash before Temporal heard back), so the ids
// must come from what the change IS, not from when it was sent: workflowId, the run's
// publication sequence and the status, hashed into name-based UUIDs (v5) like the
// pipeline's derived ids. The same change always yields the same ids; consumers drop
// the repeat by eventId.
import type { WorkflowStatus } from '../events.js';
import { derivedEventId } from '../pipeline/ids.js';

export interface WorkflowEventIds {
  /** eventId of the WorkflowEvent on chat.workflows. */
  workflowEventId: string;
  /** eventId of the WorkflowUpdate OutboundEvent on chat.outbound. */
  outboundEventId: string;
}

export function workflowEventIds(workflowId: string, sequence: number, status: WorkflowStatus): WorkflowEventIds {
  const name = `workflow:${workflowId}#${sequence}`;
  return {
    workflowEventId: derivedEventId(name, `workflow-event:${status}`),
    outboundEventId: derivedEventId(name, `workflow-update:${status}`),
  };
}
