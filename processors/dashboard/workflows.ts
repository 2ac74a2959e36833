// The DASHBOARD's view and control of the business's workflows: what runs for it
// (reservations, each holding its booking's reminder and completion; voice callbacks;
// dashboard actions), the workflows of its bookings, and cancelling one.
//
// The answers come from Temporal's visibility through the tools (tools.ts: every
// workflow filtered by the business in its memo), never from a guess: Temporal down is
// a DependencyUnavailableError, so the message waits and is retried. Cancelling is a
// pending action of the management agent (management.ts): planned here, confirmed by
// the requester or a higher role, audited, and run by the workflow stage's cancel,
// the same path `x7 workflows cancel` takes.
import type { Card } from '../../src/events.js';
import { reservationWorkflowId } from '../../src/workflows/manager.js';
import { FAILURE_STATUSES, type WorkflowSummary } from '../../src/workflows/visibility.js';
import type { WorkflowKind } from '../../src/workflows/types.js';
import type { Agent, AgentInput, AgentResult } from '../shared/agent.js';
import { actionCard, bookingCard, type BusinessFacts, isBookingId, localWhen, type Plan } from './actions.js';
import { businessOf, guard, GUARD_TOOLS } from './guard.js';
import { type BookingRow, type BookingStatus, businessWorkflowsTool, findBookingTool, findWorkflowTool, upcomingBookingsTool } from './tools.js';

/** How many workflows one answer counts (a busy restaurant runs one reservation per upcoming booking). */
const COUNT_LIMIT = 50;
/** How many get a card of their own. */
const CARD_LIMIT = 8;
/** Closed workflows ("which failed?") are those of the last week. */
const CLOSED_WINDOW_MS = 7 * 86_400_000;

const KIND_LABELS: Record<WorkflowKind, { one: string; many: string }> = {
  reservation: { one: 'reservation (booking, reminder and completion)', many: 'reservations (bookings, reminders and completion)' },
  voiceCallback: { one: 'voice callback', many: 'voice callbacks' },
  managementAction: { one: 'dashboard action', many: 'dashboard actions' },
};

function kindLabel(kind: WorkflowKind | null, n: number): string {
  if (!kind) return n === 1 ? 'other workflow' : 'other workflows';
  return n === 1 ? KIND_LABELS[kind].one : KIND_LABELS[kind].many;
}

/** The booking a reservation workflow is about (its id is derived from the booking's). */
export function bookingOfWorkflow(w: Pick<WorkflowSummary, 'kind' | 'workflowId'>): string | null {
  const prefix = reservationWorkflowId('');
  return w.kind === 'reservation' && w.workflowId.startsWith(prefix) ? w.workflowId.slice(prefix.length) : null;
}

export function workflowCard(w: WorkflowSummary, business: Pick<BusinessFacts, 'id' | 'timeZone'>): Card {
  const fields: Record<string, string> = {
    Workflow: w.workflowId,
    Type: kindLabel(w.kind, 1),
    Status: w.status,
    Started: localWhen(w.startTime, business.timeZone),
  };
  if (w.closeTime) fields.Closed = localWhen(w.closeTime, business.timeZone);
  const booking = bookingOfWorkflow(w);
  if (booking) fields.Booking = booking;
  if (w.conversationId) fields.Conversation = w.conversationId;
  return { kind: 'OTHER', title: `${kindLabel(w.kind, 1)} · ${w.status}`, subtitle: w.workflowId, businessId: business.id, fields };
}

/** "2 reservations (…), 1 voice callback": the counts by kind, most first. */
function byKind(workflows: readonly WorkflowSummary[]): string {
  const counts = new Map<WorkflowKind | null, number>();
  for (const w of workflows) counts.set(w.kind, (counts.get(w.kind) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${n} ${kindLabel(kind, n)}`).join(', ');
}

function byStatus(workflows: readonly WorkflowSummary[]): string {
  const counts = new Map<string, number>();
  for (const w of workflows) counts.set(w.status, (counts.get(w.status) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([status, n]) => `${n} ${statusWords(status)}`).join(', ');
}

/** TimedOut → "timed out", Canceled → "canceled": visibility's names as words. */
export function statusWords(status: string): string {
  return status.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export type ListView = 'running' | 'failed' | 'closed';

/** Which workflows the message asks for: running (the default), failed, or finished ones. */
export function listView(text: string): ListView {
  if (/\b(?:fail\w*|errors?|broken|stuck)\b/i.test(text)) return 'failed';
  if (/\b(?:finished|completed|closed|ended|done|past|recent)\b/i.test(text)) return 'closed';
  return 'running';
}

/** The bookings whose workflows the message asks about, by status; null when it is not about bookings. */
export function bookingScope(text: string): BookingStatus[] | null {
  if (!/\b(?:bookings?|reservations?|appointments?|reservas?)\b/i.test(text)) return null;
  const pending = /\bpending\b/i.test(text);
  const confirmed = /\bconfirmed\b/i.test(text);
  if (pending === confirmed) return ['pending', 'confirmed'];
  return pending ? ['pending'] : ['confirmed'];
}

export interface ListAnswer {
  text: string;
  cards: Card[];
  suggestions: string[];
}

export function workflowsAnswer(view: ListView, list: { workflows: readonly WorkflowSummary[]; more: boolean }, business: BusinessFacts): ListAnswer {
  const { workflows } = list;
  const count = `${workflows.length}${list.more ? ' or more' : ''} workflow${workflows.length === 1 && !list.more ? '' : 's'}`;
  const cards = workflows.slice(0, CARD_LIMIT).map((w) => workflowCard(w, business));
  const shown = workflows.length > CARD_LIMIT ? ` The ${CARD_LIMIT} newest are below.` : '';
  const suggestions = ['Show pending bookings\' workflows', 'Which workflows failed?'];
  if (view === 'running') {
    if (workflows.length === 0) return { text: `Nothing is running for ${business.name} right now.`, cards, suggestions };
    return { text: `Running now for ${business.name}: ${count}: ${byKind(workflows)}.${shown}`, cards, suggestions };
  }
  const what = view === 'failed' ? 'failed' : 'finished';
  if (workflows.length === 0) return { text: `No workflow of ${business.name} ${what} in the last 7 days.`, cards, suggestions: ['What\'s running?'] };
  return {
    text: `${count} of ${business.name} ${what} in the last 7 days: ${byKind(workflows)} (${byStatus(workflows)}).${shown}`,
    cards,
    suggestions: ['What\'s running?'],
  };
}

export interface BookingWorkflow {
  booking: BookingRow;
  workflowId: string;
  /** Null: Temporal has no such workflow (not started yet, or never). */
  workflow: WorkflowSummary | null;
}

export function bookingWorkflowsAnswer(rows: readonly BookingWorkflow[], total: number, statuses: readonly BookingStatus[], business: BusinessFacts): ListAnswer {
  const which = (n: number) => `${statuses.length === 1 ? statuses[0] : 'upcoming'} booking${n === 1 ? '' : 's'}${statuses.length === 1 ? '' : ' (pending or confirmed)'}`;
  if (rows.length === 0) return { text: `${business.name} has no ${which(0)} from now on.`, cards: [], suggestions: ['What\'s running?'] };
  const running = rows.filter((r) => r.workflow?.status === 'Running').length;
  const missing = rows.filter((r) => r.workflow === null).length;
  const ended = rows.length - running - missing;
  const parts = [`${running} with its reservation workflow running`];
  if (ended > 0) parts.push(`${ended} whose workflow has ended`);
  if (missing > 0) parts.push(`${missing} without a workflow in Temporal`);
  const shown = total > rows.length ? ` (the next ${rows.length} of ${total})` : '';
  const cards = rows.map(({ booking, workflowId, workflow }) => {
    const card = bookingCard(booking, business.timeZone);
    return { ...card, businessId: business.id, fields: { ...card.fields, Workflow: workflowId, 'Workflow status': workflow?.status ?? 'not found' } };
  });
  return {
    text: `${total} ${which(total)}${shown}: ${parts.join(', ')}.`,
    cards,
    suggestions: rows.filter((r) => r.workflow?.status === 'Running').slice(0, 2).map((r) => `Cancel the reminder for booking ${r.booking.id}`),
  };
}

async function listWorkflows(input: AgentInput): Promise<AgentResult> {
  const business = businessOf(input);
  const facts = { id: business.id, name: business.name, timeZone: business.timeZone, acceptingBookings: business.acceptingBookings };
  const statuses = bookingScope(input.message.text);
  if (statuses) {
    const upcoming = await input.use(upcomingBookingsTool, { businessId: business.id, from: input.now, limit: 10, statuses });
    const rows: BookingWorkflow[] = [];
    for (const booking of upcoming.rows) {
      const workflowId = booking.workflowId ?? reservationWorkflowId(booking.id);
      rows.push({ booking, workflowId, workflow: await input.use(findWorkflowTool, { businessId: business.id, workflowId }) });
    }
    return { ...bookingWorkflowsAnswer(rows, upcoming.total, statuses, facts), outcome: 'ANSWERED' };
  }
  const view = listView(input.message.text);
  const list = await input.use(businessWorkflowsTool, view === 'running'
    ? { businessId: business.id, limit: COUNT_LIMIT }
    : {
      businessId: business.id,
      closedSince: new Date(input.now.getTime() - CLOSED_WINDOW_MS),
      ...(view === 'failed' ? { status: FAILURE_STATUSES } : {}),
      limit: COUNT_LIMIT,
    });
  return { ...workflowsAnswer(view, list, facts), outcome: 'ANSWERED' };
}

export const workflowsAgent: Agent = {
  name: 'workflows',
  chatTypes: ['DASHBOARD'],
  intents: ['workflows_list'],
  tools: [...GUARD_TOOLS, businessWorkflowsTool, findWorkflowTool, upcomingBookingsTool],
  async handle(input) {
    const checked = await guard(input, 'view_workflows');
    if (!checked.allowed) return checked.result;
    return listWorkflows(input);
  },
};

// ---------------------------------------------------------------------------
// cancelling one (planned here, confirmed and run by the management agent)

/** What a cancel_workflow pending action carries (its params). */
export interface CancelWorkflowParams {
  workflowId: string;
  kind: WorkflowKind | null;
  bookingId: string | null;
  /** What the workflow is told, and a reservation's customer reads. */
  reason: string;
}

export function isCancelWorkflowParams(p: Record<string, unknown>): p is Record<string, unknown> & CancelWorkflowParams {
  return typeof p.workflowId === 'string' && typeof p.reason === 'string' && (p.bookingId === null || typeof p.bookingId === 'string');
}

/**
 * The reason the workflow is given: the business's name, and what follows "because"
 * or "reason:" in the request ("… because the guest called"). One search for the
 * keyword, then a slice: linear in the message.
 */
export function cancelReason(text: string, businessName: string): string {
  const at = text.search(/\bbecause\b|\breason\s*:/i);
  const why = at < 0 ? '' : text.slice(at).replace(/^(?:because|reason\s*:)\s*/i, '').trim().slice(0, 300);
  return why ? `cancelled by ${businessName}: ${why}` : `cancelled by ${businessName}`;
}

export interface CancelTarget {
  /** What the message named: a workflow id, or a booking id; undefined when neither. */
  ref?: string;
  /** The booking named (null: none of this business). */
  booking?: BookingRow | null;
  /** The workflow found for the ref (null: none of this business). */
  workflow: WorkflowSummary | null;
}

/** The plan for cancelling a workflow: ask which, say there is nothing to do, or describe exactly what will happen. */
export function planCancelWorkflow(target: CancelTarget, business: BusinessFacts, reason: string, running: readonly WorkflowSummary[]): Plan {
  if (target.ref === undefined) {
    return {
      kind: 'ask',
      text: running.length > 0
        ? 'Which workflow? Say “cancel workflow <id>”, or “cancel the reminder for booking <id>”. Running ones are below.'
        : `Which workflow? Nothing is running for ${business.name} right now.`,
      cards: running.slice(0, CARD_LIMIT).map((w) => workflowCard(w, business)),
      suggestions: running.slice(0, 2).map((w) => `Cancel workflow ${w.workflowId}`),
    };
  }
  if (target.booking === null) return { kind: 'ask', text: `There is no booking ${target.ref} at ${business.name}.` };
  const w = target.workflow;
  if (!w) {
    return target.booking
      ? { kind: 'nothing', text: `Booking ${target.booking.id} has no workflow in Temporal, so there is no reminder to cancel.` }
      : { kind: 'ask', text: `There is no workflow ${target.ref} at ${business.name}.` };
  }
  if (w.status !== 'Running') return { kind: 'nothing', text: `Workflow ${w.workflowId} has already ended (${statusWords(w.status)}); there is nothing to cancel.` };
  const bookingId = bookingOfWorkflow(w);
  const booking = target.booking ?? null;
  let description: string;
  if (w.kind === 'reservation') {
    const about = booking
      ? ` of booking ${booking.id} (${booking.partySize} ${booking.partySize === 1 ? 'person' : 'people'}, ${localWhen(booking.startsAt, business.timeZone)}, for ${booking.customer ?? booking.userId})`
      : bookingId ? ` of booking ${bookingId}` : '';
    // A reservation's reminder is a timer inside its booking's workflow: stopping it
    // stops the booking too, and the person confirming must know that.
    description = `stop the reservation workflow ${w.workflowId}${about}: no reminder will be sent, and the workflow cancels the booking and tells the customer “${reason}” (a reminder cannot be stopped without its booking)`;
  } else if (w.kind === 'voiceCallback') {
    description = `cancel the voice callback ${w.workflowId} (asked for in conversation ${w.conversationId ?? 'unknown'}): nobody will be called back`;
  } else {
    description = `cancel the ${kindLabel(w.kind, 1)} ${w.workflowId} (started ${localWhen(w.startTime, business.timeZone)}) before it finishes`;
  }
  const fields: Record<string, string> = { Workflow: w.workflowId, Type: kindLabel(w.kind, 1), Status: w.status, Reason: reason };
  if (bookingId) fields.Booking = bookingId;
  const params: CancelWorkflowParams = { workflowId: w.workflowId, kind: w.kind, bookingId, reason };
  return {
    kind: 'confirm',
    action: 'cancel_workflow',
    params: { ...params },
    description,
    card: actionCard('cancel_workflow', business, 'Cancel a workflow', { ...fields, After: w.kind === 'reservation' ? 'booking cancelled, customer told' : 'cancelled' }),
  };
}

/** The plan for "cancel workflow X" / "cancel the reminder for booking X", from what the tools find. */
export async function planWorkflowCancel(input: AgentInput, business: BusinessFacts): Promise<Plan> {
  const { entities } = input.understanding;
  const reason = cancelReason(input.message.text, business.name);
  const base = { businessId: business.id };
  if (entities.workflowRef) {
    const workflow = await input.use(findWorkflowTool, { ...base, workflowId: entities.workflowRef });
    return planCancelWorkflow({ ref: entities.workflowRef, workflow }, business, reason, []);
  }
  if (isBookingId(entities.bookingRef)) {
    const booking = await input.use(findBookingTool, { ...base, bookingId: entities.bookingRef });
    const workflow = booking ? await input.use(findWorkflowTool, { ...base, workflowId: booking.workflowId ?? reservationWorkflowId(booking.id) }) : null;
    return planCancelWorkflow({ ref: entities.bookingRef, booking, workflow }, business, reason, []);
  }
  const running = await input.use(businessWorkflowsTool, { ...base, limit: CARD_LIMIT });
  return planCancelWorkflow({ workflow: null, ...(entities.bookingRef ? { ref: entities.bookingRef, booking: null } : {}) }, business, reason, running.workflows);
}

/** The tools planWorkflowCancel uses besides findBookingTool (which the management agent declares anyway). */
export const WORKFLOW_CANCEL_TOOLS = [findWorkflowTool, businessWorkflowsTool];
