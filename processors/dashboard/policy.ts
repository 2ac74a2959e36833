// Who may do what in a business's dashboard: one table, action → the least role
// that may do it, decided here in code (the members table only says who holds which
// role). Pure, so the policy is tested and read in one place.
//
// The policy, and why:
// | action            | least role | why                                                                |
// |-------------------|------------|--------------------------------------------------------------------|
// | view_dashboard    | staff      | any member may ask what the dashboard can do                      |
// | view_analytics    | staff      | staff serve the customers the numbers are about                    |
// | announcement      | manager    | speaks for the business to every customer                          |
// | pause_bookings    | manager    | stops revenue; a shift lead decides it on a busy night             |
// | resume_bookings   | manager    | the same decision undone                                           |
// | cancel_booking    | manager    | breaks a promise to one customer; needs someone accountable        |
// | set_hours         | owner      | changes the business's public schedule and every future booking   |
//
// Someone who is not a member of the business has no role and may do nothing.
import type { ManagementActionName } from '../../src/workflows/types.js';

export type Role = 'owner' | 'manager' | 'staff';
export const ROLES: readonly Role[] = ['staff', 'manager', 'owner'];

export type DashboardAction = 'view_dashboard' | 'view_analytics' | ManagementActionName;

export const POLICY: Readonly<Record<DashboardAction, Role>> = {
  view_dashboard: 'staff',
  view_analytics: 'staff',
  announcement: 'manager',
  pause_bookings: 'manager',
  resume_bookings: 'manager',
  cancel_booking: 'manager',
  set_hours: 'owner',
};

/** What people call each action, for messages ("Changing opening hours needs …"). */
export const ACTION_LABELS: Readonly<Record<DashboardAction, string>> = {
  view_dashboard: 'Using the dashboard',
  view_analytics: 'Viewing analytics',
  announcement: 'Posting an announcement',
  pause_bookings: 'Pausing bookings',
  resume_bookings: 'Resuming bookings',
  cancel_booking: 'Cancelling a booking',
  set_hours: 'Changing opening hours',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is at least `required` (owner > manager > staff). */
export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

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
