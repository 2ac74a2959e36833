// Who may work a business's hand-offs (conversations the assistant passed to a
// person, table `handoffs`, migration 0007): one table, action → the least role that
// may do it. Pure, and in src/ because three places decide by it: the bridge (who may
// follow and write into a handed-off customer conversation), the processor's
// validation (who may send a STAFF message) and the DASHBOARD inbox
// (processors/dashboard/inbox.ts, through processors/dashboard/policy.ts's table).
//
// | action         | least role | why                                                                  |
// |----------------|------------|----------------------------------------------------------------------|
// | view_handoffs  | staff      | the inbox is the front desk: whoever serves customers sees who waits; |
// |                |            | it includes following the customer's conversation while it is open   |
// | answer_handoff | staff      | answering customers is what staff are there for                      |
// | close_handoff  | staff      | giving the conversation back to the assistant ends nothing for good: |
// |                |            | the customer can ask for a person again                              |
//
// Someone who is not a member of the business has no role and may do none of it, and
// nobody may do any of it once the hand-off is closed (the callers check that).
import { roleAtLeast, type Role } from '../db/members.js';

export type HandoffAction = 'view_handoffs' | 'answer_handoff' | 'close_handoff';

export const HANDOFF_LEAST_ROLE: Readonly<Record<HandoffAction, Role>> = {
  view_handoffs: 'staff',
  answer_handoff: 'staff',
  close_handoff: 'staff',
};

/** What people call each action, for messages ("Answering a handed-off conversation needs …"). */
export const HANDOFF_LABELS: Readonly<Record<HandoffAction, string>> = {
  view_handoffs: 'Viewing hand-offs',
  answer_handoff: 'Answering a handed-off conversation',
  close_handoff: 'Closing a hand-off',
};

/** Whether a member holding `role` (null: not a member) may do `action` on the business's hand-offs. */
export function mayHandle(action: HandoffAction, role: Role | null): boolean {
  return role !== null && roleAtLeast(role, HANDOFF_LEAST_ROLE[action]);
}

/** The reason `role` may not do `action`, in one sentence, or null when it may. */
export function handoffRefusal(action: HandoffAction, role: Role | null, businessId: string): string | null {
  if (mayHandle(action, role)) return null;
  const needs = `${HANDOFF_LABELS[action]} needs the ${HANDOFF_LEAST_ROLE[action]} role or higher in business ${businessId}`;
  return role === null ? `${needs}; you are not a member of it` : `${needs}; you are ${role}`;
}

/** The Reply.agent of a message a member wrote into a handed-off conversation. */
export function staffAgentName(userId: string): string {
  return `staff:${userId}`;
}

/** True for a Reply.agent that names a person (staffAgentName), not an agent. */
export function isStaffAgent(agent: string): boolean {
  return agent.startsWith('staff:');
}

/**
 * The whole text of a staff message that closes the hand-off from inside the
 * conversation ("close hand-off", "end the handoff."): only the command on its own,
 * so a sentence to the customer that mentions it ("I'll close the hand-off once …")
 * is a sentence to the customer. Anchored and without nested quantifiers: linear.
 */
const CLOSE_COMMAND = /^\s*(?:close|end|finish)\s+(?:the\s+|this\s+)?hand[\s-]?off\s*[.!]?\s*$/i;

export function isCloseCommand(text: string): boolean {
  return text.length <= 64 && CLOSE_COMMAND.test(text);
}
