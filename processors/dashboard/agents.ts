// The DASHBOARD chat's agents: analytics, management (behind a confirmation turn)
// and help (the fallback).
//
// Every agent checks the caller's role in the business from the members table before
// it does anything (policy.ts decides); a denial is a FORBIDDEN notice, outcome DENIED
// and an audit_log row, never a silent no-op. Management actions are planned
// (actions.ts), described and kept in the agent's memory; the next "yes" re-checks the
// role (it may have changed) and asks the workflow stage to run the management action
// workflow, which changes the data and writes the allowed audit row in one
// transaction; "no" discards the plan.
import type { Intent } from '../../src/understanding/index.js';
import type { ManagementActionName } from '../../src/workflows/types.js';
import type { Agent, AgentInput, AgentResult, BusinessContext, JsonObject } from '../shared/agent.js';
import { secondaryIntents } from '../shared/agents.js';
import {
  announcementText, type BusinessFacts, isBookingId, isExpired, type PendingAction, planAnnouncement, planCancelBooking, planHours, planPauseResume,
  type Plan,
} from './actions.js';
import { bookingsAnswer, topQuestionsAnswer, volumeAnswer } from './metrics.js';
import { lastDays, parsePeriod } from './periods.js';
import { ACTION_LABELS, authorize, type DashboardAction, type Decision, POLICY, ROLES, roleAtLeast, type Role } from './policy.js';
import {
  bookingCountsTool, findBookingTool, membersWithRoleTool, memberRoleTool, messageVolumeTool, openingHoursTool,
  recordAuditTool, topQuestionsTool, upcomingBookingsTool,
} from './tools.js';

const GUARD_TOOLS = [memberRoleTool, membersWithRoleTool, recordAuditTool];

function businessOf(input: AgentInput): BusinessContext {
  // Validation rejects a DASHBOARD event without a known business before any agent runs.
  if (!input.business) throw new Error('a DASHBOARD message reached an agent without its business');
  return input.business;
}

function facts(b: BusinessContext): BusinessFacts {
  return { id: b.id, name: b.name, timeZone: b.timeZone, acceptingBookings: b.acceptingBookings };
}

export type Guarded = { allowed: true; decision: Decision } | { allowed: false; result: AgentResult };

/**
 * The role check every dashboard action starts with. On denial: the audit row
 * (allowed=false, once per message), and the result to return as it is.
 */
export async function guard(input: AgentInput, action: DashboardAction, extraDetail: Record<string, unknown> = {}): Promise<Guarded> {
  const business = businessOf(input);
  const role = await input.use(memberRoleTool, { businessId: business.id, userId: input.message.userId });
  const decision = authorize(action, role);
  if (decision.allowed) return { allowed: true, decision };
  await input.use(recordAuditTool, {
    businessId: business.id,
    userId: input.message.userId,
    action,
    allowed: false,
    eventId: input.message.eventId,
    detail: {
      role: decision.role,
      required: decision.required,
      reason: decision.reason,
      intent: input.understanding.intent,
      conversationId: input.message.conversationId,
      request: input.message.text.slice(0, 500),
      ...extraDetail,
    },
  });
  const able = ROLES.filter((r) => roleAtLeast(r, decision.required));
  const who = await input.use(membersWithRoleTool, { businessId: business.id, roles: able });
  const ask = who.length > 0 ? ` Ask ${who.slice(0, 3).map((m) => `${m.displayName} (${m.role})`).join(' or ')}.` : '';
  return {
    allowed: false,
    result: {
      text: `${decision.reason}${ask}`,
      notices: [{ code: 'FORBIDDEN', message: `${ACTION_LABELS[action]} (${action}) needs the ${decision.required} role or higher; ${decision.role === null ? 'you are not a member of this business' : `you are ${decision.role}`}.`, field: null }],
      outcome: 'DENIED',
    },
  };
}

// ---------------------------------------------------------------------------
// analytics

const ANALYTICS_INTENTS: readonly Intent[] = ['analytics_volume', 'analytics_bookings', 'analytics_top_questions'];

/**
 * Which question to answer: the message's intent, or, when contributing to another
 * agent's answer, the strongest analytics intent among the rules that also fired.
 */
function analyticsIntent(input: AgentInput): Intent | undefined {
  const { intent, matched } = input.understanding;
  if (ANALYTICS_INTENTS.includes(intent)) return intent;
  return secondaryIntents(matched, intent).find((i) => ANALYTICS_INTENTS.includes(i));
}

export const analyticsAgent: Agent = {
  name: 'analytics',
  chatTypes: ['DASHBOARD'],
  intents: ANALYTICS_INTENTS,
  tools: [...GUARD_TOOLS, messageVolumeTool, bookingCountsTool, upcomingBookingsTool, topQuestionsTool],
  canContribute: true,
  async handle(input) {
    // As a contributor ("pause bookings for tonight" also asks about tonight's bookings)
    // it adds nothing to a denial: the person asked for the action, not for numbers.
    if (input.previous.some((p) => p.result.outcome === 'DENIED')) return null;
    const intent = analyticsIntent(input);
    if (!intent) return null;
    const business = businessOf(input);
    const checked = await guard(input, 'view_analytics');
    if (!checked.allowed) return checked.result;
    const named = parsePeriod(input.message.text, input.now, business.timeZone);
    const base = { businessId: business.id };
    switch (intent) {
      case 'analytics_bookings': {
        const counts = named ? await input.use(bookingCountsTool, { ...base, from: named.from, to: named.to }) : null;
        // "Upcoming" is from now on, within the period when one was named and reaches past now.
        const upcomingTo = named && named.to > input.now ? named.to : undefined;
        const upcoming = named && named.to <= input.now
          ? { rows: [], total: 0 }
          : await input.use(upcomingBookingsTool, { ...base, from: named && named.from > input.now ? named.from : input.now, ...(upcomingTo ? { to: upcomingTo } : {}), limit: 5 });
        const answer = bookingsAnswer(counts, named ?? null, upcoming, { id: business.id, name: business.name, timeZone: business.timeZone });
        return { ...answer, outcome: 'ANSWERED' };
      }
      case 'analytics_top_questions': {
        const period = named ?? lastDays(30, input.now, business.timeZone);
        const top = await input.use(topQuestionsTool, { ...base, from: period.from, to: period.to, limit: 5 });
        return { ...topQuestionsAnswer(top, period, business.id), outcome: 'ANSWERED' };
      }
      default: {
        const period = named ?? lastDays(7, input.now, business.timeZone);
        const volume = await input.use(messageVolumeTool, { ...base, from: period.from, to: period.to, timeZone: business.timeZone });
        return { ...volumeAnswer(volume, period, business.id, business.name), outcome: 'ANSWERED' };
      }
    }
  },
};

// ---------------------------------------------------------------------------
// management

const MANAGEMENT_INTENTS: readonly ManagementActionName[] = ['set_hours', 'pause_bookings', 'resume_bookings', 'cancel_booking', 'announcement'];

function pendingOf(memory: Readonly<JsonObject>): PendingAction | null {
  const pending = memory.pending;
  return pending && typeof pending === 'object' && !Array.isArray(pending) ? (pending as unknown as PendingAction) : null;
}

function closed(): Pick<AgentResult, 'memory' | 'task'> {
  return { memory: {}, task: null };
}

/** The plan for a management request, from the facts the tools look up. */
async function plan(input: AgentInput, action: ManagementActionName): Promise<Plan> {
  const business = facts(businessOf(input));
  const { entities } = input.understanding;
  switch (action) {
    case 'set_hours':
      return planHours(entities.hours, await input.use(openingHoursTool, { businessId: business.id }), business);
    case 'pause_bookings':
    case 'resume_bookings': {
      const upcoming = await input.use(upcomingBookingsTool, { businessId: business.id, from: input.now, limit: 1 });
      return planPauseResume(action, business, upcoming.total);
    }
    case 'cancel_booking': {
      const ref = entities.bookingRef;
      const booking = isBookingId(ref) ? await input.use(findBookingTool, { businessId: business.id, bookingId: ref }) : null;
      const upcoming = isBookingId(ref) ? [] : (await input.use(upcomingBookingsTool, { businessId: business.id, from: input.now, limit: 5 })).rows;
      return planCancelBooking(ref, booking, business, upcoming);
    }
    case 'announcement':
      return planAnnouncement(announcementText(input.message.text, entities.announcement), business);
  }
}

async function request(input: AgentInput, action: ManagementActionName): Promise<AgentResult> {
  const checked = await guard(input, action);
  if (!checked.allowed) return checked.result;
  const previous = pendingOf(input.memory);
  const planned = await plan(input, action);
  if (planned.kind !== 'confirm') {
    // Nothing new is pending; an earlier request still waiting stays as it was.
    return {
      text: planned.text,
      ...(planned.kind === 'ask' && planned.cards ? { cards: planned.cards } : {}),
      ...(planned.kind === 'ask' && planned.suggestions ? { suggestions: planned.suggestions } : {}),
      outcome: 'ANSWERED',
    };
  }
  const business = businessOf(input);
  const pending: PendingAction = {
    action,
    businessId: business.id,
    params: planned.params,
    description: planned.description,
    requestedBy: input.message.userId,
    requestEventId: input.message.eventId,
    requestedAt: input.now.getTime(),
  };
  const replaced = previous && !isExpired(previous, input.now) ? ` (This replaces the earlier request to ${previous.description}.)` : '';
  return {
    text: `Please confirm: I will ${planned.description}. Reply “yes” to go ahead or “no” to discard it.${replaced}`,
    cards: [planned.card],
    suggestions: ['Yes', 'No'],
    outcome: 'CONFIRMATION_REQUESTED',
    memory: { pending: pending as unknown as JsonObject },
    task: { pendingSlots: [], awaitingConfirmation: true, description: `${action} awaiting confirmation` },
  };
}

async function confirm(input: AgentInput): Promise<AgentResult> {
  const pending = pendingOf(input.memory);
  if (!pending) return { text: 'Nothing is waiting for your confirmation.', outcome: 'ANSWERED', ...closed() };
  if (isExpired(pending, input.now)) {
    return { text: `The request to ${pending.description} expired (more than 15 minutes ago), so I did not run it. Ask again if you still want it.`, outcome: 'ANSWERED', ...closed() };
  }
  // The role is checked again: it may have been changed (or it is someone else saying yes).
  const checked = await guard(input, pending.action, { confirming: pending.requestEventId });
  if (!checked.allowed) return { ...checked.result, ...closed() };
  const business = businessOf(input);
  return {
    text: `Confirmed: I'm going to ${pending.description}. You will see the result here when it is done.`,
    outcome: 'WORKFLOW_STARTED',
    workflows: [{
      action: 'start',
      kind: 'managementAction',
      // From the confirming message: a redelivered "yes" finds the run it started.
      workflowId: managementWorkflowId(input.message.eventId),
      input: {
        action: pending.action,
        businessId: business.id,
        userId: input.message.userId,
        params: pending.params,
        conversationId: input.message.conversationId,
        causationId: input.message.eventId,
        chatType: 'DASHBOARD',
      },
    }],
    ...closed(),
  };
}

export function managementWorkflowId(confirmingEventId: string): string {
  return `management-${confirmingEventId}`;
}

export const managementAgent: Agent = {
  name: 'management',
  opensTasks: true,
  chatTypes: ['DASHBOARD'],
  intents: [...MANAGEMENT_INTENTS, 'confirm', 'reject'],
  tools: [...GUARD_TOOLS, openingHoursTool, upcomingBookingsTool, findBookingTool],
  followUpIntents: ['confirm', 'reject', 'unknown'],
  async handle(input) {
    const intent = input.understanding.intent;
    if ((MANAGEMENT_INTENTS as readonly string[]).includes(intent)) return request(input, intent as ManagementActionName);
    if (intent === 'confirm') return confirm(input);
    const pending = pendingOf(input.memory);
    if (intent === 'reject') {
      return pending
        ? { text: `OK, discarded: I will not ${pending.description}.`, outcome: 'ANSWERED', ...closed() }
        : { text: 'Nothing is waiting for your confirmation.', outcome: 'ANSWERED', ...closed() };
    }
    // Anything else while an action waits: keep it waiting and say how to answer.
    if (pending && !isExpired(pending, input.now)) {
      return { text: `I'm waiting for your answer: shall I ${pending.description}? Reply “yes” or “no”.`, suggestions: ['Yes', 'No'], outcome: 'ANSWERED' };
    }
    return null;
  },
};

// ---------------------------------------------------------------------------
// help

const CAN_DO: ReadonlyArray<[DashboardAction, string]> = [
  ['view_analytics', 'message volumes (“messages this week”), bookings (“bookings today”), top questions (“top questions this month”)'],
  ['announcement', 'announcements (“announce: …”)'],
  ['pause_bookings', 'pausing and resuming bookings'],
  ['cancel_booking', 'cancelling a booking (“cancel booking <id>”)'],
  ['set_hours', 'opening hours (“open 9 to 18 on Saturday”)'],
];

export function capabilities(role: Role): string[] {
  return CAN_DO.filter(([action]) => roleAtLeast(role, POLICY[action])).map(([, words]) => words);
}

export const helpAgent: Agent = {
  name: 'dashboard_help',
  chatTypes: ['DASHBOARD'],
  intents: ['*'],
  tools: GUARD_TOOLS,
  async handle(input) {
    const checked = await guard(input, 'view_dashboard');
    if (!checked.allowed) return checked.result;
    const role = checked.decision.role!;
    const business = businessOf(input);
    return {
      text: `I didn't catch that. As ${role} of ${business.name} you can ask me about: ${capabilities(role).join('; ')}. Changes are confirmed before they run.`,
      suggestions: ['Messages this week', 'Bookings today', 'Top questions this month'],
      outcome: 'ANSWERED',
    };
  },
};

export const dashboardAgents: readonly Agent[] = [analyticsAgent, managementAgent, helpAgent];
