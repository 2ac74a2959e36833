// The DASHBOARD chat's tools: SQL for the caller's role, the audit log, the business's
// numbers (messages, bookings, top questions) and what a management action is about
// (current hours, a booking); Temporal's visibility for the business's workflows.
// Parameterized queries only; deciding is left to policy.ts, actions.ts and the agents.
//
// Customer traffic is what arrives in the business's DEDICATED conversations; the
// staff's own DASHBOARD conversations are not counted as customers talking.
import { memberRole as readMemberRole } from '../../src/db/members.js';
import type { ExecutionStatus, WorkflowFilter, WorkflowList, WorkflowSummary } from '../../src/workflows/visibility.js';
import { defineTool, type Db } from '../shared/tools.js';
import { isRole, type Role } from './policy.js';

// ---------------------------------------------------------------------------
// roles and audit

export function memberRole(db: Db, businessId: string, userId: string): Promise<Role | null> {
  return readMemberRole(<R extends object>(sql: string, params: unknown[]) => db.query<R>(sql, params), businessId, userId);
}

export interface MemberRow {
  userId: string;
  displayName: string;
  role: Role;
}

/** Members holding one of `roles`, most senior first: who to ask when someone is denied. */
export async function membersWithRole(db: Db, businessId: string, roles: readonly Role[]): Promise<MemberRow[]> {
  const rows = await db.query<{ user_id: string; display_name: string; role: string }>(
    `select m.user_id, u.display_name, m.role
       from members m join users u on u.id = m.user_id
      where m.business_id = $1 and m.role = any ($2::text[])
      order by case m.role when 'owner' then 0 when 'manager' then 1 else 2 end, u.display_name`,
    [businessId, [...roles]],
  );
  return rows.filter((r) => isRole(r.role)).map((r) => ({ userId: r.user_id, displayName: r.display_name, role: r.role as Role }));
}

export interface AuditEntry {
  businessId: string;
  /** Who did (or tried) what the row is about. */
  userId: string;
  action: string;
  allowed: boolean;
  /** The chat message that caused the entry: the same message processed again adds no second row. */
  eventId: string;
  detail: Record<string, unknown>;
  /** Rows about a pending management action: who asked for it. */
  requestedBy?: string;
  /** Rows of an answer that was allowed to decide: who answered, and how (migration 0006). */
  decided?: { by: string; decision: 'confirmed' | 'declined' };
}

/**
 * Writes one audit_log row, once per (eventId, action). The row's detail never holds
 * a `workflowId` key: the management workflow's activity recognises its own rows by it.
 */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<string> {
  const detail = JSON.stringify({ ...entry.detail, eventId: entry.eventId });
  return db.transaction(async (tx) => {
    // Serialises two attempts at the same message (a retry racing a slow first try).
    await tx.query(`select pg_advisory_xact_lock(hashtext('x7-dashboard-audit:' || $1::text || ':' || $2::text))`, [entry.eventId, entry.action]);
    const [existing] = await tx.query<{ id: string }>(
      `select id::text from audit_log where detail->>'eventId' = $1 and action = $2 and user_id = $3 order by id limit 1`,
      [entry.eventId, entry.action, entry.userId],
    );
    if (existing) return existing.id;
    const [row] = await tx.query<{ id: string }>(
      `insert into audit_log (business_id, user_id, action, allowed, detail, requested_by, decided_by, decision)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) returning id::text`,
      [entry.businessId, entry.userId, entry.action, entry.allowed, detail, entry.requestedBy ?? null, entry.decided?.by ?? null, entry.decided?.decision ?? null],
    );
    return row!.id;
  });
}

// ---------------------------------------------------------------------------
// analytics

export interface Window {
  businessId: string;
  from: Date;
  to: Date;
  /** The business's zone, for grouping by local day. */
  timeZone: string;
}

export interface MessageVolume {
  customerMessages: number;
  replies: number;
  conversations: number;
  customers: number;
  /** Local date (YYYY-MM-DD) of the day with most customer messages, and how many. */
  busiestDay: { date: string; messages: number } | null;
}

export async function messageVolume(db: Db, w: Window): Promise<MessageVolume> {
  const [totals] = await db.query<{ customer_messages: number; replies: number; conversations: number; customers: number }>(
    `select count(*) filter (where m.role = 'user')::int as customer_messages,
            count(*) filter (where m.role = 'assistant')::int as replies,
            count(distinct m.conversation_id)::int as conversations,
            count(distinct c.user_id)::int as customers
       from messages m join conversations c on c.id = m.conversation_id
      where c.business_id = $1 and c.chat_type = 'DEDICATED'
        and m.created_at >= $2 and m.created_at < $3`,
    [w.businessId, w.from, w.to],
  );
  const [busiest] = await db.query<{ day: string; messages: number }>(
    `select to_char((m.created_at at time zone $4::text)::date, 'YYYY-MM-DD') as day, count(*)::int as messages
       from messages m join conversations c on c.id = m.conversation_id
      where c.business_id = $1 and c.chat_type = 'DEDICATED' and m.role = 'user'
        and m.created_at >= $2 and m.created_at < $3
      group by 1 order by 2 desc, 1 desc limit 1`,
    [w.businessId, w.from, w.to, w.timeZone],
  );
  return {
    customerMessages: totals?.customer_messages ?? 0,
    replies: totals?.replies ?? 0,
    conversations: totals?.conversations ?? 0,
    customers: totals?.customers ?? 0,
    busiestDay: busiest ? { date: busiest.day, messages: busiest.messages } : null,
  };
}

export type BookingStatus = 'pending' | 'confirmed' | 'cancelled' | 'completed';
export const BOOKING_STATUSES: readonly BookingStatus[] = ['pending', 'confirmed', 'completed', 'cancelled'];

export interface BookingCounts {
  byStatus: Record<BookingStatus, number>;
  total: number;
  /** People in the bookings that are not cancelled. */
  guests: number;
}

/** Bookings starting in the window, by status. */
export async function bookingCounts(db: Db, w: Omit<Window, 'timeZone'>): Promise<BookingCounts> {
  const rows = await db.query<{ status: BookingStatus; bookings: number; guests: number }>(
    `select status, count(*)::int as bookings, coalesce(sum(party_size), 0)::int as guests
       from bookings where business_id = $1 and starts_at >= $2 and starts_at < $3
      group by status`,
    [w.businessId, w.from, w.to],
  );
  const byStatus: Record<BookingStatus, number> = { pending: 0, confirmed: 0, completed: 0, cancelled: 0 };
  let guests = 0;
  for (const r of rows) {
    byStatus[r.status] = r.bookings;
    if (r.status !== 'cancelled') guests += r.guests;
  }
  return { byStatus, total: rows.reduce((n, r) => n + r.bookings, 0), guests };
}

export interface BookingRow {
  id: string;
  startsAt: Date;
  partySize: number;
  status: BookingStatus;
  userId: string;
  /** The customer's name when we hold a profile. */
  customer: string | null;
  service: string | null;
  notes: string | null;
  workflowId: string | null;
  /** When its reservation workflow reminded the customer (migration 0008); null or absent: not reminded. */
  reminderSentAt?: Date | null;
}

const BOOKING_COLUMNS = `b.id::text as id, b.starts_at, b.party_size, b.status, b.user_id, u.display_name as customer,
  o.name as service, b.notes, b.workflow_id, b.reminder_sent_at`;

type BookingDbRow = {
  id: string; starts_at: Date; party_size: number; status: BookingStatus; user_id: string;
  customer: string | null; service: string | null; notes: string | null; workflow_id: string | null; reminder_sent_at: Date | null;
};

function toBooking(r: BookingDbRow): BookingRow {
  return {
    id: r.id, startsAt: r.starts_at, partySize: r.party_size, status: r.status, userId: r.user_id,
    customer: r.customer, service: r.service, notes: r.notes, workflowId: r.workflow_id, reminderSentAt: r.reminder_sent_at,
  };
}

export interface UpcomingArgs {
  businessId: string;
  from: Date;
  to?: Date;
  limit: number;
  /** Default pending and confirmed. */
  statuses?: readonly BookingStatus[];
}

/** Pending and confirmed bookings (or those of `statuses`) from `from` on, soonest first. */
export async function upcomingBookings(db: Db, args: UpcomingArgs): Promise<{ rows: BookingRow[]; total: number }> {
  const rows = await db.query<BookingDbRow & { total: number }>(
    `select ${BOOKING_COLUMNS}, count(*) over ()::int as total
       from bookings b
       left join users u on u.id = b.user_id
       left join offerings o on o.id = b.offering_id
      where b.business_id = $1 and b.starts_at >= $2 and ($3::timestamptz is null or b.starts_at < $3)
        and b.status = any ($5::text[])
      order by b.starts_at, b.id
      limit $4`,
    [args.businessId, args.from, args.to ?? null, args.limit, [...(args.statuses ?? ['pending', 'confirmed'])]],
  );
  return { rows: rows.map(toBooking), total: rows[0]?.total ?? 0 };
}

/** One booking of this business by its id; null when it is another business's or does not exist. */
export async function findBooking(db: Db, businessId: string, bookingId: string): Promise<BookingRow | null> {
  const [row] = await db.query<BookingDbRow>(
    `select ${BOOKING_COLUMNS}
       from bookings b
       left join users u on u.id = b.user_id
       left join offerings o on o.id = b.offering_id
      where b.business_id = $1 and b.id = $2::uuid`,
    [businessId, bookingId],
  );
  return row ? toBooking(row) : null;
}

export interface TopQuestions {
  /** Classified intents of customer messages, most frequent first. */
  intents: Array<{ intent: string; messages: number }>;
  /** The most repeated customer messages (case and spacing folded), most frequent first. */
  messages: Array<{ text: string; messages: number }>;
  total: number;
}

// Not questions: replies within a flow that are counted elsewhere or say nothing.
const NOT_QUESTIONS = ['confirm', 'reject', 'provide_details', 'greeting', 'thanks', 'unknown'];

export async function topQuestions(db: Db, w: Omit<Window, 'timeZone'>, limit = 5): Promise<TopQuestions> {
  const scope = `from messages m join conversations c on c.id = m.conversation_id
      where c.business_id = $1 and c.chat_type = 'DEDICATED' and m.role = 'user'
        and m.created_at >= $2 and m.created_at < $3`;
  const intents = await db.query<{ intent: string; messages: number }>(
    `select m.intent, count(*)::int as messages ${scope}
        and m.intent is not null and not (m.intent = any ($4::text[]))
      group by m.intent order by 2 desc, 1 limit $5`,
    [w.businessId, w.from, w.to, NOT_QUESTIONS, limit],
  );
  const messages = await db.query<{ text: string; messages: number }>(
    `select min(btrim(m.text)) as text, count(*)::int as messages ${scope}
        and (m.intent is null or not (m.intent = any ($4::text[])))
      group by lower(regexp_replace(btrim(m.text), '\\s+', ' ', 'g'))
      order by 2 desc, 1 limit $5`,
    [w.businessId, w.from, w.to, NOT_QUESTIONS, limit],
  );
  const [total] = await db.query<{ n: number }>(`select count(*)::int as n ${scope}`, [w.businessId, w.from, w.to]);
  return { intents, messages, total: total?.n ?? 0 };
}

// ---------------------------------------------------------------------------
// what an action is about

export interface HoursRow {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  opens: string;
  closes: string;
}

export async function openingHours(db: Db, businessId: string): Promise<HoursRow[]> {
  const rows = await db.query<{ weekday: number; opens: string; closes: string }>(
    `select weekday, to_char(opens, 'HH24:MI') as opens, to_char(closes, 'HH24:MI') as closes
       from opening_hours where business_id = $1 order by weekday, opens`,
    [businessId],
  );
  return rows.map((r) => ({ weekday: Number(r.weekday), opens: r.opens, closes: r.closes }));
}

// ---------------------------------------------------------------------------
// the tools as agents declare them

export const memberRoleTool = defineTool({
  name: 'member_role',
  description: "The caller's role in the business (owner, manager, staff) or null",
  run: (ctx, args: { businessId: string; userId: string }) => memberRole(ctx.db, args.businessId, args.userId),
});

export const membersWithRoleTool = defineTool({
  name: 'members_with_role',
  description: 'Members of the business holding one of the given roles',
  run: (ctx, args: { businessId: string; roles: readonly Role[] }) => membersWithRole(ctx.db, args.businessId, args.roles),
});

export const recordAuditTool = defineTool({
  name: 'record_audit',
  description: 'Writes an audit_log row once per chat message and action',
  run: (ctx, args: AuditEntry) => recordAudit(ctx.db, args),
});

export const messageVolumeTool = defineTool({
  name: 'message_volume',
  description: 'Customer messages, replies, conversations and customers of a business in a period',
  run: (ctx, args: Window) => messageVolume(ctx.db, args),
});

export const bookingCountsTool = defineTool({
  name: 'booking_counts',
  description: 'Bookings of a business starting in a period, by status, with guests',
  run: (ctx, args: Omit<Window, 'timeZone'>) => bookingCounts(ctx.db, args),
});

export const upcomingBookingsTool = defineTool({
  name: 'upcoming_bookings',
  description: 'Pending and confirmed bookings (or those of the given statuses) from an instant on, soonest first',
  run: (ctx, args: UpcomingArgs) => upcomingBookings(ctx.db, args),
});

export const findBookingTool = defineTool({
  name: 'find_booking',
  description: 'One booking of the business by id',
  run: (ctx, args: { businessId: string; bookingId: string }) => findBooking(ctx.db, args.businessId, args.bookingId),
});

export const topQuestionsTool = defineTool({
  name: 'top_questions',
  description: 'Most frequent customer intents and messages of a business in a period',
  run: (ctx, args: Omit<Window, 'timeZone'> & { limit?: number }) => topQuestions(ctx.db, args, args.limit ?? 5),
});

export const openingHoursTool = defineTool({
  name: 'opening_hours',
  description: "The business's weekly opening hours",
  run: (ctx, args: { businessId: string }) => openingHours(ctx.db, args.businessId),
});

// ---------------------------------------------------------------------------
// workflows (Temporal's visibility, through the workflow manager)

export interface BusinessWorkflowsArgs {
  businessId: string;
  /** Default Running (when not asking for closed ones). */
  status?: ExecutionStatus | readonly ExecutionStatus[];
  /** Closed workflows: those that closed since. */
  closedSince?: Date;
  limit: number;
}

export const businessWorkflowsTool = defineTool({
  name: 'business_workflows',
  description: "The business's workflows from Temporal's visibility: running ones, or those closed since an instant",
  run(ctx, args: BusinessWorkflowsArgs): Promise<WorkflowList> {
    const status = args.status ?? (args.closedSince ? undefined : 'Running');
    const filter: WorkflowFilter = { businessId: args.businessId, ...(status ? { status } : {}), ...(args.closedSince ? { closedSince: args.closedSince } : {}) };
    return ctx.workflows.listWorkflows(filter, { limit: args.limit });
  },
});

export const findWorkflowTool = defineTool({
  name: 'find_workflow',
  description: "One workflow by id, if it is this business's (another business's is not shown)",
  async run(ctx, args: { businessId: string; workflowId: string }): Promise<WorkflowSummary | null> {
    const found = await ctx.workflows.findWorkflow(args.workflowId);
    return found && found.businessId === args.businessId ? found : null;
  },
});
