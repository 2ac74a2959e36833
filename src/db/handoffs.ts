// The `handoffs` table (migration 0007), the one home of its SQL: the DEDICATED
// processor opens, takes and closes hand-offs, the DASHBOARD inbox lists and closes
// them, the bridge and the processor's validation ask whether a conversation has an
// open one, and the bridge reads a handed-off conversation's transcript for staff.
// Every query is parameterised; every list is bounded.
import { memberRole, ROLES, roleAtLeast, type Role, type RowsOf } from './members.js';
import { HANDOFF_LEAST_ROLE, type HandoffAction } from '../handoffs/policy.js';

export type HandoffReason = 'asked' | 'unanswered';

export interface Handoff {
  id: string;
  conversationId: string;
  businessId: string;
  /** The user the conversation belongs to. */
  customerId: string;
  reason: HandoffReason;
  /** What the customer wrote when it was handed off (at most FIRST_MESSAGE_CHARS). */
  firstMessage: string;
  status: 'open' | 'closed';
  openedAt: Date;
  lastCustomerMessageAt: Date;
  takenBy: string | null;
  takenAt: Date | null;
  closedBy: string | null;
  closedAt: Date | null;
}

/** A hand-off as the inbox shows it: with the names of the people it is about (null: no profile). */
export interface InboxEntry extends Handoff {
  businessName: string;
  customerName: string | null;
  takenByName: string | null;
}

export const FIRST_MESSAGE_CHARS = 500;
/** The most hand-offs one inbox read returns (the oldest first: they have waited longest). */
export const MAX_INBOX = 100;
/** The most messages one transcript read returns (the latest). */
export const MAX_TRANSCRIPT = 100;

const COLUMNS = `h.id::text, h.conversation_id, h.business_id, h.customer_id, h.reason, h.first_message, h.status,
  h.opened_at, h.last_customer_message_at, h.taken_by, h.taken_at, h.closed_by, h.closed_at`;

interface HandoffRow {
  id: string; conversation_id: string; business_id: string; customer_id: string; reason: HandoffReason; first_message: string;
  status: 'open' | 'closed'; opened_at: Date; last_customer_message_at: Date; taken_by: string | null; taken_at: Date | null;
  closed_by: string | null; closed_at: Date | null;
}

function toHandoff(r: HandoffRow): Handoff {
  return {
    id: r.id, conversationId: r.conversation_id, businessId: r.business_id, customerId: r.customer_id, reason: r.reason,
    firstMessage: r.first_message, status: r.status, openedAt: r.opened_at, lastCustomerMessageAt: r.last_customer_message_at,
    takenBy: r.taken_by, takenAt: r.taken_at, closedBy: r.closed_by, closedAt: r.closed_at,
  };
}

/**
 * Opens a hand-off for the conversation, unless one is open already (then that one is
 * the answer) or this id was opened before (a message processed again: the same row).
 */
export async function openHandoff(rows: RowsOf, h: {
  id: string; conversationId: string; businessId: string; customerId: string; reason: HandoffReason; firstMessage: string; at: Date;
}): Promise<Handoff> {
  // No conflict target: the primary key (the same message again) and the one-open-per-
  // conversation index (opened meanwhile) both mean "keep what is there".
  await rows(
    `insert into handoffs (id, conversation_id, business_id, customer_id, reason, first_message, opened_at, last_customer_message_at)
     values ($1, $2, $3, $4, $5, $6, $7, $7) on conflict do nothing`,
    [h.id, h.conversationId, h.businessId, h.customerId, h.reason, h.firstMessage.slice(0, FIRST_MESSAGE_CHARS), h.at],
  );
  const [row] = await rows<HandoffRow>(
    `select ${COLUMNS} from handoffs h
      where h.id = $1 or (h.conversation_id = $2 and h.status = 'open')
      order by (h.status = 'open') desc limit 1`,
    [h.id, h.conversationId],
  );
  if (!row) throw new Error(`hand-off ${h.id} of ${h.conversationId} vanished right after it was opened`);
  return toHandoff(row);
}

/** The conversation's open hand-off, or null. */
export async function openHandoffOf(rows: RowsOf, conversationId: string): Promise<Handoff | null> {
  const [row] = await rows<HandoffRow>(`select ${COLUMNS} from handoffs h where h.conversation_id = $1 and h.status = 'open'`, [conversationId]);
  return row ? toHandoff(row) : null;
}

/** The conversation's latest hand-off, open or not, or null. */
export async function latestHandoffOf(rows: RowsOf, conversationId: string): Promise<Handoff | null> {
  const [row] = await rows<HandoffRow>(
    `select ${COLUMNS} from handoffs h where h.conversation_id = $1 order by (h.status = 'open') desc, h.opened_at desc limit 1`, [conversationId]);
  return row ? toHandoff(row) : null;
}

/** The customer wrote again while it is open: the inbox shows how long they have waited. */
export async function noteCustomerMessage(rows: RowsOf, id: string, at: Date): Promise<void> {
  await rows(`update handoffs set last_customer_message_at = greatest(last_customer_message_at, $2) where id = $1 and status = 'open'`, [id, at]);
}

/** The first member to answer takes it; later answers leave it as it is. */
export async function takeHandoff(rows: RowsOf, id: string, userId: string, at: Date): Promise<void> {
  await rows(`update handoffs set taken_by = $2, taken_at = $3 where id = $1 and status = 'open' and taken_by is null`, [id, userId, at]);
}

/**
 * Closes the hand-off if it is open, as the message `eventId` asks; the hand-off as
 * closed by that message (now, or when it was processed before), or null when it was
 * not open (closed by someone else, or never open).
 */
export async function closeHandoff(rows: RowsOf, id: string, userId: string, at: Date, eventId: string): Promise<Handoff | null> {
  const [row] = await rows<HandoffRow>(
    `update handoffs h set status = 'closed', closed_by = $2, closed_at = $3, closed_event_id = $4
      where h.id = $1 and h.status = 'open' returning ${COLUMNS}`,
    [id, userId, at, eventId],
  );
  if (row) return toHandoff(row);
  const [before] = await rows<HandoffRow>(`select ${COLUMNS} from handoffs h where h.id = $1 and h.closed_event_id = $2`, [id, eventId]);
  return before ? toHandoff(before) : null;
}

/**
 * The business's hand-offs a message names: by conversation id, or by the first eight
 * hex digits of the hand-off's id (the `ref` the inbox shows). Open ones, and one this
 * very message closed (processed again). At most MAX_INBOX.
 */
export async function handoffsByRef(rows: RowsOf, businessId: string, refs: readonly string[], eventId: string): Promise<Handoff[]> {
  const words = refs.filter((r) => r.length > 0 && r.length <= 200).slice(0, 20);
  const prefixes = words.filter((w) => /^[0-9a-f]{8}(?:-[0-9a-f-]{0,28})?$/i.test(w)).map((w) => w.slice(0, 8).toLowerCase());
  const found = await rows<HandoffRow>(
    `select ${COLUMNS} from handoffs h
      where h.business_id = $1 and (h.status = 'open' or h.closed_event_id = $4)
        and (h.conversation_id = any ($2::text[]) or left(h.id::text, 8) = any ($3::text[]))
      order by h.opened_at limit $5`,
    [businessId, words, prefixes, eventId, MAX_INBOX],
  );
  return found.map(toHandoff);
}

/** The short reference the inbox shows for a hand-off: the first eight hex digits of its id. */
export function handoffRef(handoff: Pick<Handoff, 'id'>): string {
  return handoff.id.slice(0, 8);
}

/** The roles that may do `action`: the policy's least role and every role above it. */
export function rolesFor(action: HandoffAction): Role[] {
  return ROLES.filter((r) => roleAtLeast(r, HANDOFF_LEAST_ROLE[action]));
}

/**
 * Open hand-offs, the longest-waiting first: of one business, or of every business
 * where `memberId` holds a role that may view them.
 */
export async function openInbox(rows: RowsOf, of: { businessId: string } | { memberId: string }, limit = MAX_INBOX): Promise<InboxEntry[]> {
  const byMember = 'memberId' in of;
  const found = await rows<HandoffRow & { business_name: string; customer_name: string | null; taken_by_name: string | null }>(
    `select ${COLUMNS}, b.name as business_name, cu.display_name as customer_name, tu.display_name as taken_by_name
       from handoffs h
       join businesses b on b.id = h.business_id
       ${byMember ? 'join members m on m.business_id = h.business_id and m.user_id = $1 and m.role = any ($3::text[])' : ''}
       left join users cu on cu.id = h.customer_id
       left join users tu on tu.id = h.taken_by
      where h.status = 'open' ${byMember ? '' : 'and h.business_id = $1'}
      order by h.opened_at, h.id
      limit $2`,
    byMember ? [of.memberId, Math.min(limit, MAX_INBOX), rolesFor('view_handoffs')] : [of.businessId, Math.min(limit, MAX_INBOX)],
  );
  return found.map((r) => ({ ...toHandoff(r), businessName: r.business_name, customerName: r.customer_name, takenByName: r.taken_by_name }));
}

/** How many hand-offs of the business are open (the inbox shows MAX_INBOX of them at most). */
export async function countOpen(rows: RowsOf, businessId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(`select count(*)::int as n from handoffs where business_id = $1 and status = 'open'`, [businessId]);
  return row?.n ?? 0;
}

export interface TranscriptMessage {
  eventId: string;
  /** 'user': the customer; 'assistant': an agent, or a person when `agent` is staff:<id>. */
  role: 'user' | 'assistant';
  text: string;
  agent: string | null;
  createdAt: Date;
}

/** The conversation's latest messages (MAX_TRANSCRIPT at most), oldest first. */
export async function transcriptOf(rows: RowsOf, conversationId: string, limit = MAX_TRANSCRIPT): Promise<TranscriptMessage[]> {
  const found = await rows<{ event_id: string; role: 'user' | 'assistant'; text: string; agent: string | null; created_at: Date }>(
    `select event_id::text, role, text, agent, created_at from messages
      where conversation_id = $1 order by created_at desc, event_id desc limit $2`,
    [conversationId, Math.min(limit, MAX_TRANSCRIPT)],
  );
  return found.reverse().map((r) => ({ eventId: r.event_id, role: r.role, text: r.text, agent: r.agent, createdAt: r.created_at }));
}

/** One audit_log row about a hand-off (the bridge's: a staff subscription or transcript read, allowed or not). */
export async function auditHandoff(rows: RowsOf, entry: {
  businessId: string; userId: string; action: string; allowed: boolean; detail: Record<string, unknown>;
}): Promise<void> {
  await rows(
    `insert into audit_log (business_id, user_id, action, allowed, detail) values ($1, $2, $3, $4, $5::jsonb)`,
    [entry.businessId, entry.userId, entry.action, entry.allowed, JSON.stringify(entry.detail)],
  );
}

/**
 * What the processor's STAFF-sender rule needs (src/pipeline/validation.ts): the
 * user's role in the business and whether the conversation's open hand-off is to it.
 */
export async function staffAccess(rows: RowsOf, userId: string, businessId: string, conversationId: string): Promise<{ role: Role | null; handoffOpen: boolean }> {
  const role = await memberRole(rows, businessId, userId);
  if (role === null) return { role, handoffOpen: false };
  const open = await openHandoffOf(rows, conversationId);
  return { role, handoffOpen: open?.businessId === businessId };
}
