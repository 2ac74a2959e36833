// Who may do what in a business's dashboard: one table, action → the least role
// that may do it, decided here in code (the members table only says who holds which
// role). Pure, so the policy is tested and read in one place.
//
// The policy, and why:
// | action            | least role | why                                                                |
// |-------------------|------------|--------------------------------------------------------------------|
// | view_dashboard    | staff      | any member may ask what the dashboard can do                      |
// | view_analytics    | staff      | staff serve the customers the numbers are about                    |
// | management actions| see src/workflows/authority.ts: the worker checks the same table again when an action runs |
//
// Someone who is not a member of the business has no role and may do nothing.
import { ROLES, isRole, roleAbove, roleAtLeast, type Role } from '../../src/db/members.js';
import { MANAGEMENT_LABELS, MANAGEMENT_LEAST_ROLE } from '../../src/workflows/authority.js';
import type { ManagementActionName } from '../../src/workflows/types.js';

export { ROLES, isRole, roleAbove, roleAtLeast, type Role };

export type DashboardAction = 'view_dashboard' | 'view_analytics' | ManagementActionName;

export const POLICY: Readonly<Record<DashboardAction, Role>> = {
  view_dashboard: 'staff',
  view_analytics: 'staff',
  ...MANAGEMENT_LEAST_ROLE,
};

/** What people call each action, for messages ("Changing opening hours needs …"). */
export const ACTION_LABELS: Readonly<Record<DashboardAction, string>> = {
  view_dashboard: 'Using the dashboard',
  view_analytics: 'Viewing analytics',
  ...MANAGEMENT_LABELS,
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
