// Who may follow or write to a conversation. The rules are pure functions; the
// Authorizer feeds them what the directory (directory.ts) knows.
//
// The rules (DESIGN.md, "WebSocket bridge protocol"):
// - A conversation belongs to the user who started it. Its owner may subscribe
//   and write; nobody else may, except:
// - a DASHBOARD conversation is also open to every member of its business, since
//   staff share the running of a business. Membership is checked on every use, so
//   someone removed from a business loses access at once, owner or not.
// - a DEDICATED conversation handed off to a person (table `handoffs`) is open,
//   while its hand-off is open, to the members of its business whose role may work
//   hand-offs (src/handoffs/policy.ts): they follow it and write into it as STAFF.
//   Every such subscription, allowed or refused, is an audit_log row; a hand-off
//   that closes, or a membership that ends, ends the subscription (session.ts).
// - A conversation id nobody has used yet may be taken: subscribing to it claims
//   it, writing the first message records it.
//
// Where ownership lives: the `conversations` table is the record (it holds the
// chat type and business, which DASHBOARD access depends on, and every other
// component reads it). A bare subscribe does not know the chat type, so it
// cannot insert a row (chat_type is NOT NULL); it claims the id in Redis with
// SET NX, which is atomic across bridge instances, for X7_HISTORY_TTL_MS. The
// first message then inserts the row (INSERT … ON CONFLICT DO NOTHING, so the
// primary key settles a race between two first writers) and the row wins from
// then on. A claim that expires unused leaves nothing behind to protect.
import type { Role } from '../db/members.js';
import type { ChatType } from '../events.js';
import { handoffRefusal, type HandoffAction } from '../handoffs/policy.js';

export type { Role };

export interface ConversationRecord {
  ownerId: string;
  /** Null for a claim: subscribed to, no message written yet. */
  chatType: ChatType | null;
  businessId: string | null;
  source: 'database' | 'claim';
}

export type Decision =
  /** `staff`: allowed as a member working the conversation's open hand-off, not as its owner. */
  | { allow: true; staff?: { handoffId: string; role: Role } }
  | { allow: false; code: 'FORBIDDEN' | 'INVALID_EVENT'; message: string; field?: string };

/**
 * What decides a member's access to someone else's DEDICATED conversation (asked
 * only for those): the user's role in its business and its open hand-off.
 */
export interface StaffAccess {
  /** Null: not a member of the conversation's business. */
  role: Role | null;
  /** The conversation's open hand-off; null when it has none. */
  handoffId: string | null;
}

const allow: Decision = { allow: true };

function forbidden(message: string): Decision {
  return { allow: false, code: 'FORBIDDEN', message };
}

const NOT_YOURS = 'conversation belongs to another user';

/**
 * A member's access to a DEDICATED conversation that is not theirs: only through its
 * open hand-off, with a role that may `action`. Someone who is not a member of the
 * business hears what anyone hears about another user's conversation.
 */
function staffDecision(action: HandoffAction, record: ConversationRecord, staff: StaffAccess): Decision {
  if (staff.role === null) return forbidden(NOT_YOURS);
  const refusal = handoffRefusal(action, staff.role, record.businessId!);
  if (refusal !== null) return forbidden(refusal);
  if (staff.handoffId === null) return forbidden(`${NOT_YOURS}, and it has no open hand-off to business ${record.businessId}`);
  return { allow: true, staff: { handoffId: staff.handoffId, role: staff.role } };
}

/**
 * May `userId` follow this existing conversation? `isMember`: whether the user
 * belongs to the conversation's business (only asked for DASHBOARD ones); `staff`:
 * the user's access as a member to someone else's DEDICATED conversation.
 */
export function subscribeDecision(userId: string, record: ConversationRecord, isMember: boolean, staff: StaffAccess | null = null): Decision {
  if (record.chatType === 'DASHBOARD') {
    return isMember ? allow : forbidden(`conversation is a dashboard of business ${record.businessId}, which you are not a member of`);
  }
  if (record.ownerId === userId) return allow;
  if (record.chatType === 'DEDICATED' && staff !== null) return staffDecision('view_handoffs', record, staff);
  return forbidden(NOT_YOURS);
}

/**
 * May `userId` write this message into the conversation (null: not known yet)?
 * `isMember`: whether the user belongs to the message's business (asked for DASHBOARD
 * messages); `staff`: as for subscribeDecision. An answer allowed through `staff` is
 * written as STAFF.
 */
export function postDecision(
  userId: string,
  record: ConversationRecord | null,
  message: { chatType: ChatType; businessId: string | null },
  isMember: boolean,
  staff: StaffAccess | null = null,
): Decision {
  if (message.chatType === 'DASHBOARD' && !isMember) {
    return forbidden(`only members of business ${message.businessId} may use its dashboard`);
  }
  if (record === null) return allow;
  if (record.source === 'claim') return record.ownerId === userId ? allow : forbidden(NOT_YOURS);
  // A conversation keeps its chat type and business: its state, its agents and its
  // access rules all depend on them.
  if (record.chatType !== message.chatType) {
    return { allow: false, code: 'INVALID_EVENT', field: 'chatType', message: `conversation is a ${record.chatType} conversation` };
  }
  if (record.businessId !== message.businessId) {
    return { allow: false, code: 'INVALID_EVENT', field: 'businessId', message: `conversation is with business ${record.businessId ?? '(none)'}` };
  }
  if (record.chatType === 'DASHBOARD') return allow; // a member (checked above)
  if (record.ownerId === userId) return allow;
  if (record.chatType === 'DEDICATED' && staff !== null) return staffDecision('answer_handoff', record, staff);
  return forbidden(NOT_YOURS);
}

/** What the Authorizer needs to know; Postgres and Redis in production (directory.ts). */
export interface AccessDirectory {
  /** The conversation's row, else its claim, else null. */
  findConversation(conversationId: string): Promise<ConversationRecord | null>;
  /** Claims an unknown id for the user (if nobody has); resolves to the owner after the attempt. */
  claimConversation(conversationId: string, userId: string): Promise<string>;
  /** Inserts the conversation unless it exists; resolves to the row as stored. */
  recordConversation(conversationId: string, userId: string, chatType: ChatType, businessId: string | null): Promise<ConversationRecord>;
  /** The user's role in the business, or null when not a member. */
  roleIn(userId: string, businessId: string): Promise<Role | null>;
  /** The id of the conversation's open hand-off, or null. */
  openHandoffId(conversationId: string): Promise<string | null>;
  /** Writes one audit_log row (a member's access to a handed-off conversation). */
  audit(entry: AccessAudit): Promise<void>;
}

export interface AccessAudit {
  businessId: string;
  userId: string;
  /** follow_handoff: a subscription (or its end); read_handoff: a transcript read. */
  action: 'follow_handoff' | 'read_handoff';
  allowed: boolean;
  detail: Record<string, unknown>;
}

export class Authorizer {
  constructor(private readonly directory: AccessDirectory) {}

  /**
   * May the user follow the conversation? A member's subscription through a hand-off
   * is audited, allowed or refused. `recheck`: the check of a live subscription
   * (memberships or the hand-off changed), audited only when it ends the access.
   */
  async authorizeSubscribe(userId: string, conversationId: string, options: { recheck?: boolean } = {}): Promise<Decision> {
    const record = await this.directory.findConversation(conversationId);
    if (record === null) {
      const owner = await this.directory.claimConversation(conversationId, userId);
      return owner === userId ? allow : forbidden(NOT_YOURS);
    }
    const { decision, staff } = await this.followDecision(userId, conversationId, record);
    // Who looked into a customer's conversation is worth keeping; strangers knocking on
    // another user's conversation are not staff, and their refusal is no audit event.
    if (staff !== null && (options.recheck ? !decision.allow : staff.role !== null)) {
      await this.auditStaff('follow_handoff', userId, conversationId, record, staff, decision, options.recheck ? { ended: true } : {});
    }
    return decision;
  }

  /**
   * May the user read the conversation's transcript (`GET /api/transcript`)? Whoever may
   * follow it, except that an unknown id is not claimed: there is nothing to read. A
   * member's read through a hand-off is audited, allowed or refused.
   */
  async authorizeRead(userId: string, conversationId: string): Promise<Decision | null> {
    const record = await this.directory.findConversation(conversationId);
    if (record === null || record.source !== 'database') return null;
    const { decision, staff } = await this.followDecision(userId, conversationId, record);
    if (staff !== null && staff.role !== null) await this.auditStaff('read_handoff', userId, conversationId, record, staff, decision);
    return decision;
  }

  /** Checks the message against the conversation and records the conversation if it is new. */
  async authorizePost(userId: string, conversationId: string, message: { chatType: ChatType; businessId: string | null }): Promise<Decision> {
    const isMember = await this.isMemberFor(userId, message.chatType, message.businessId);
    const record = await this.directory.findConversation(conversationId);
    const staff = record === null ? null : await this.staffAccess(userId, conversationId, record);
    const decision = postDecision(userId, record, message, isMember, staff);
    if (!decision.allow || record?.source === 'database') return decision;
    // New (or only claimed): record it. Another first writer may have won the
    // insert in the meantime; the stored row is what counts.
    const stored = await this.directory.recordConversation(conversationId, userId, message.chatType, message.businessId);
    return postDecision(userId, stored, message, isMember);
  }

  /** May the user follow this existing conversation, and (when that was the question) their access as staff. */
  private async followDecision(userId: string, conversationId: string, record: ConversationRecord): Promise<{ decision: Decision; staff: StaffAccess | null }> {
    const staff = await this.staffAccess(userId, conversationId, record);
    return { decision: subscribeDecision(userId, record, await this.isMemberFor(userId, record.chatType, record.businessId), staff), staff };
  }

  private async auditStaff(
    action: AccessAudit['action'], userId: string, conversationId: string, record: ConversationRecord, staff: StaffAccess, decision: Decision,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.directory.audit({
      businessId: record.businessId!,
      userId,
      action,
      allowed: decision.allow,
      detail: { conversationId, handoffId: staff.handoffId, role: staff.role, ...(decision.allow ? {} : { reason: decision.message }), ...extra },
    });
  }

  /** A member's access to someone else's DEDICATED conversation; null when that is not the question. */
  private async staffAccess(userId: string, conversationId: string, record: ConversationRecord): Promise<StaffAccess | null> {
    if (record.source !== 'database' || record.chatType !== 'DEDICATED' || record.businessId === null || record.ownerId === userId) return null;
    const role = await this.directory.roleIn(userId, record.businessId);
    // The hand-off is asked about only for a member: a stranger learns nothing of it.
    return { role, handoffId: role === null ? null : await this.directory.openHandoffId(conversationId) };
  }

  private async isMemberFor(userId: string, chatType: ChatType | null, businessId: string | null): Promise<boolean> {
    if (chatType !== 'DASHBOARD' || businessId === null) return false;
    return (await this.directory.roleIn(userId, businessId)) !== null;
  }
}
