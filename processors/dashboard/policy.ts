// Who may do what in a business's dashboard: one table, action → the least role
// that may do it, decided here in code (the members table only says who holds which
// role). Pure, so the policy is tested and read in one place.
//
// The policy, and why:
// | action            | least role | why                                                                |
// |-------------------|------------|--------------------------------------------------------------------|
// | view_dashboard    | staff      | any member may ask what the dashboard can do                      |
// | view_analytics    | staff      | staff serve the customers the numbers are about                    |
// | view_workflows    | staff      | what runs for the bookings staff serve (reminders, callbacks)      |
// | cancel_workflow   | manager    | stops a reservation (its booking is cancelled), a callback or an   |
// |                   |            | action: a promise to a customer broken, as cancel_booking          |
// | management actions| see src/workflows/authority.ts: the worker checks the same table again when an action runs |
// | hand-offs (view_handoffs, answer_handoff, close_handoff) | see src/handoffs/policy.ts: the bridge and the processor's validation decide by the same table |
//
// cancel_workflow waits for a "yes" like the management actions, bound to who asked
// (decisionRightFor), but the processor cancels it (the workflow stage's cancel, as
// `x7 workflows cancel` does), so it is checked here only, when the "yes" comes.
//
// Someone who is not a member of the business has no role and may do nothing.
import { ROLES, isRole, roleAbove, roleAtLeast, type Role } from '../../src/db/members.js';
import { HANDOFF_LABELS, HANDOFF_LEAST_ROLE, type HandoffAction } from '../../src/handoffs/policy.js';
import { MANAGEMENT_LABELS, MANAGEMENT_LEAST_ROLE } from '../../src/workflows/authority.js';
import type { ManagementActionName } from '../../src/workflows/types.js';
import { MANAGEMENT_ACTIONS } from '../../src/workflows/validate.js';

export { ROLES, isRole, roleAbove, roleAtLeast, type Role };

/** Actions that wait for a "yes": the management actions the worker runs, and cancelling a workflow. */
export type PendingActionName = ManagementActionName | 'cancel_workflow';
export const PENDING_ACTIONS: readonly PendingActionName[] = [...MANAGEMENT_ACTIONS, 'cancel_workflow'];

export type DashboardAction = 'view_dashboard' | 'view_analytics' | 'view_workflows' | PendingActionName | HandoffAction;

export const POLICY: Readonly<Record<DashboardAction, Role>> = {
  view_dashboard: 'staff',
  view_analytics: 'staff',
  view_workflows: 'staff',
  cancel_workflow: 'manager',
  ...MANAGEMENT_LEAST_ROLE,
  ...HANDOFF_LEAST_ROLE,
};

/** What people call each action, for messages ("Changing opening hours needs …"). */
export const ACTION_LABELS: Readonly<Record<DashboardAction, string>> = {
  view_dashboard: 'Using the dashboard',
  view_analytics: 'Viewing analytics',
  view_workflows: 'Viewing workflows',
  cancel_workflow: 'Cancelling a workflow',
  ...MANAGEMENT_LABELS,
  ...HANDOFF_LABELS,
};

export interface Decision {
  action: DashboardAction;
  allowed: boolean;
  /** The caller's role in this business; null: not a member. */
  role: Role | null;
  required: Role;
  /** One sentence for the ErrorNotice and the audit row. */
  reason: string;
}

export function authorize(action: DashboardAction, role: Role | null): Decision {
  const required = POLICY[action];
  const label = ACTION_LABELS[action];
  if (role === null) {
    return { action, allowed: false, role, required, reason: `${label} needs the ${required} role or higher; you are not a member of this business.` };
  }
  if (!roleAtLeast(role, required)) {
    return { action, allowed: false, role, required, reason: `${label} needs the ${required} role or higher; you are ${role}.` };
  }
  return { action, allowed: true, role, required, reason: `${label} is allowed for ${role} (needs ${required}).` };
}
