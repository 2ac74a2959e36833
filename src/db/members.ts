// The roles a member holds in a business (the `members` table), and the one query
// that reads a member's role. Shared by the DASHBOARD processor, which checks the
// role when a message asks for something, and the management workflow's activity,
// which checks it again when the action runs: both must read it the same way.
//
// What each role may do is decided by the callers (processors/dashboard/policy.ts,
// src/workflows/authority.ts); the ordering of roles lives here with the table's values.

export type Role = 'owner' | 'manager' | 'staff';
/** From least to most: the members table's check constraint, in order. */
export const ROLES: readonly Role[] = ['staff', 'manager', 'owner'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is at least `required` (owner > manager > staff). */
export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** True when `role` is strictly above `other`. */
export function roleAbove(role: Role, other: Role): boolean {
  return ROLES.indexOf(role) > ROLES.indexOf(other);
}

/** Runs a parameterised query and gives its rows: a processor's Db, or a pg client in a transaction. */
export type RowsOf = <R extends object>(sql: string, params: unknown[]) => Promise<R[]>;

/**
 * The member's role in the business, or null when they are not a member. `lock`
 * (inside a transaction) holds the membership row until the transaction ends, so a
 * role cannot change between this check and the work it allows.
 */
export async function memberRole(rows: RowsOf, businessId: string, userId: string, options: { lock?: boolean } = {}): Promise<Role | null> {
  const [row] = await rows<{ role: string }>(
    `select role from members where business_id = $1 and user_id = $2${options.lock ? ' for share' : ''}`,
    [businessId, userId],
  );
  // A role the code does not know would be a migration out of step: treat as no role, never as a guess.
  return row && isRole(row.role) ? row.role : null;
}
