// Who may follow or write to a conversation. The rules are pure functions; the
// Authorizer feeds them what the directory (directory.ts) knows.
//
// The rules (DESIGN.md, "WebSocket bridge protocol"):
// - A conversation belongs to the user who started it. Its owner may subscribe
//   and write; nobody else may, except:
// - a DASHBOARD conversation is also open to every member of its business, since
//   staff share the running of a business. Membership is checked on every use, so
//   someone removed from a business loses access at once, owner or not.
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
import type { ChatType } from '../events.js';

export type Role = 'owner' | 'manager' | 'staff';

export interface ConversationRecord {
  ownerId: string;
  /** Null for a claim: subscribed to, no message written yet. */
  chatType: ChatType | null;
  businessId: string | null;
  source: 'database' | 'claim';
}

export type Decision =
  | { allow: true }
  | { allow: false; code: 'FORBIDDEN' | 'INVALID_EVENT'; message: string; field?: string };

const allow: Decision = { allow: true };

function forbidden(message: string): Decision {
  return { allow: false, code: 'FORBIDDEN', message };
}

/**
 * May `userId` follow this existing conversation? `isMember`: whether the user
 * belongs to the conversation's business (only asked for DASHBOARD ones).
 */
export function subscribeDecision(userId: string, record: ConversationRecord, isMember: boolean): Decision {
  if (record.chatType === 'DASHBOARD') {
    return isMember ? allow : forbidden(`conversation is a dashboard of business ${record.businessId}, which you are not a member of`);
  }
  return record.ownerId === userId ? allow : forbidden('conversation belongs to another user');
}

/**
 * May `userId` write this message into the conversation (null: not known yet)?
 * `isMember`: whether the user belongs to the message's business (asked for DASHBOARD messages).
 */
export function postDecision(
  userId: string,
  record: ConversationRecord | null,
  message: { chatType: ChatType; businessId: string | null },
  isMember: boolean,
): Decision {
  if (message.chatType === 'DASHBOARD' && !isMember) {
    return forbidden(`only members of business ${message.businessId} may use its dashboard`);
  }
  if (record === null) return allow;
  if (record.source === 'claim') return record.ownerId === userId ? allow : forbidden('conversation belongs to another user');
  // A conversation keeps its chat type and business: its state, its agents and its
  // access rules all depend on them.
  if (record.chatType !== message.chatType) {
    return { allow: false, code: 'INVALID_EVENT', field: 'chatType', message: `conversation is a ${record.chatType} conversation` };
  }
  if (record.businessId !== message.businessId) {
    return { allow: false, code: 'INVALID_EVENT', field: 'businessId', message: `conversation is with business ${record.businessId ?? '(none)'}` };
  }
  if (record.chatType === 'DASHBOARD') return allow; // a member (checked above)
  return record.ownerId === userId ? allow : forbidden('conversation belongs to another user');
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
}

export class Authorizer {
  constructor(private readonly directory: AccessDirectory) {}

  async authorizeSubscribe(userId: string, conversationId: string): Promise<Decision> {
    const record = await this.directory.findConversation(conversationId);
    if (record === null) {
      const owner = await this.directory.claimConversation(conversationId, userId);
      return owner === userId ? allow : forbidden('conversation belongs to another user');
    }
    return subscribeDecision(userId, record, await this.isMemberFor(userId, record.chatType, record.businessId));
  }

  /** Checks the message against the conversation and records the conversation if it is new. */
  async authorizePost(userId: string, conversationId: string, message: { chatType: ChatType; businessId: string | null }): Promise<Decision> {
    const isMember = await this.isMemberFor(userId, message.chatType, message.businessId);
    const record = await this.directory.findConversation(conversationId);
    const decision = postDecision(userId, record, message, isMember);
    if (!decision.allow || record?.source === 'database') return decision;
    // New (or only claimed): record it. Another first writer may have won the
    // insert in the meantime; the stored row is what counts.
    const stored = await this.directory.recordConversation(conversationId, userId, message.chatType, message.businessId);
    return postDecision(userId, stored, message, isMember);
  }

  private async isMemberFor(userId: string, chatType: ChatType | null, businessId: string | null): Promise<boolean> {
    if (chatType !== 'DASHBOARD' || businessId === null) return false;
    return (await this.directory.roleIn(userId, businessId)) !== null;
  }
}
