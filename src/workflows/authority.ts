// Who may decide a pending management action: pure, shared by the DASHBOARD
// processor (when someone answers "yes" or "no") and the management workflow's
// activity (which checks again, against the role read at execution time).
//
// A dashboard conversation is shared by the business's members, so an answer is
// bound to who asked. The rule:
//  - the decider must hold a role the action allows (the least role below);
//  - and be the requester, or a member whose role is strictly higher than the role
//    the requester held when asking (an owner may confirm or decline a manager's
//    request; another manager may not, and nobody outranks an owner's request but
//    the owner who made it).
// The least role per action, and why:
// | action            | least role | why                                                                |
// |-------------------|------------|--------------------------------------------------------------------|
// | announcement      | manager    | speaks for the business to every customer                          |
// | pause_bookings    | manager    | stops revenue; a shift lead decides it on a busy night             |
// | resume_bookings   | manager    | the same decision undone                                           |
// | cancel_booking    | manager    | breaks a promise to one customer; needs someone accountable        |
// | set_hours         | owner      | changes the business's public schedule and every future booking   |
import { roleAbove, roleAtLeast, type Role } from '../db/members.js';
import type { ManagementActionName } from './types.js';

export const MANAGEMENT_LEAST_ROLE: Readonly<Record<ManagementActionName, Role>> = {
  announcement: 'manager',
  pause_bookings: 'manager',
  resume_bookings: 'manager',
  cancel_booking: 'manager',
  set_hours: 'owner',
};

/** What people call each action, for messages ("Changing opening hours needs …"). */
export const MANAGEMENT_LABELS: Readonly<Record<ManagementActionName, string>> = {
  announcement: 'Posting an announcement',
  pause_bookings: 'Pausing bookings',
  resume_bookings: 'Resuming bookings',
  cancel_booking: 'Cancelling a booking',
  set_hours: 'Changing opening hours',
};

/** Who asked for a pending action, and the role they held when asking. */
export interface Requester {
  userId: string;
  role: Role;
}

export type DecisionRight =
  /**
   * As the requester, as a member ranking above the requester's role, or (requester
   * not recorded) on the role alone.
   */
  | { allowed: true; as: 'requester' | 'higher_role' | 'requester_unknown' }
  /**
   * not_member: no role in the business; role_too_low: the action needs more;
   * not_requester: allowed to act, but neither the requester nor above them.
   */
  | { allowed: false; why: 'not_member' | 'role_too_low' | 'not_requester'; required: Role };

/**
 * Whether `decider`, holding `role` now, may confirm or decline `requester`'s pending
 * `action`. `requester` null: an action confirmed before requesters were recorded
 * (a management workflow started by an older processor), where only the role is known.
 */
export function decisionRight(
  action: ManagementActionName,
  requester: Requester | null,
  decider: { userId: string; role: Role | null },
): DecisionRight {
  return decisionRightFor(MANAGEMENT_LEAST_ROLE[action], requester, decider);
}

/**
 * The same rule for an action whose least role is `required` (the dashboard's own
 * pending actions, such as cancelling a workflow, which the worker does not run).
 */
export function decisionRightFor(
  required: Role,
  requester: Requester | null,
  decider: { userId: string; role: Role | null },
): DecisionRight {
  if (decider.role === null) return { allowed: false, why: 'not_member', required };
  if (!roleAtLeast(decider.role, required)) return { allowed: false, why: 'role_too_low', required };
  if (requester === null) return { allowed: true, as: 'requester_unknown' };
  if (requester.userId === decider.userId) return { allowed: true, as: 'requester' };
  if (roleAbove(decider.role, requester.role)) return { allowed: true, as: 'higher_role' };
  return { allowed: false, why: 'not_requester', required };
}

/**
 * Why `decider` may not decide, in one sentence naming people by id (the worker's
 * words, shown in the FAILED workflow update; the dashboard words it with names).
 */
export function refusalReason(
  action: ManagementActionName,
  right: Extract<DecisionRight, { allowed: false }>,
  decider: { userId: string; role: Role | null; businessId: string },
  requester: Requester | null,
): string {
  const needs = `${MANAGEMENT_LABELS[action]} needs the ${right.required} role or higher`;
  switch (right.why) {
    case 'not_member':
      return `${needs}; ${decider.userId} is not a member of ${decider.businessId} now.`;
    case 'role_too_low':
      return `${needs}; ${decider.userId} is ${decider.role} now.`;
    case 'not_requester':
      return `Only ${requester!.userId}, who asked for it, or a member above ${requester!.role} may confirm it; ${decider.userId} is ${decider.role} now.`;
  }
}
