// The DASHBOARD management agent: a request is planned (actions.ts), described and
// kept in the agent's memory, bound to who asked, until a "yes" starts the management
// action workflow or a "no" discards it.
//
// A dashboard conversation is shared by the business's members, so an answer ("yes",
// "no", or a new request replacing the pending one) counts only from the requester or
// a member with a strictly higher role (src/workflows/authority.ts), about the pending
// action's own business; anyone else is refused, audited, and the action keeps
// waiting. An allowed "yes" asks the workflow stage to run the management action
// workflow, whose activity checks the confirmer's role again, changes the data and
// writes the audit row in one transaction; an allowed "no" discards the plan with an
// audit row saying who declined it.
//
// Cancelling a workflow ("cancel the reminder for booking X", workflows.ts) waits for
// its "yes" the same way; the allowed "yes" is audited here and the workflow stage
// cancels it (the worker runs nothing for it).
import { decisionRightFor, type DecisionRight, type Requester } from '../../src/workflows/authority.js';
import type { ManagementActionName } from '../../src/workflows/types.js';
import type { Agent, AgentInput, AgentResult, BusinessContext, JsonObject } from '../shared/agent.js';
import {
  announcementText, type BusinessFacts, isBookingId, isExpired, type PendingAction, planAnnouncement, planCancelBooking, planHours, planPauseResume,
  type Plan, readPending,
} from './actions.js';
import { askWhom, businessOf, deny, guard, GUARD_TOOLS } from './guard.js';
import { type PendingActionName, POLICY, ROLES, roleAbove, roleAtLeast, type Role } from './policy.js';
import { findBookingTool, findWorkflowTool, membersWithRoleTool, memberRoleTool, openingHoursTool, recordAuditTool, upcomingBookingsTool } from './tools.js';
import { isCancelWorkflowParams, planWorkflowCancel, statusWords, WORKFLOW_CANCEL_TOOLS } from './workflows.js';

const MANAGEMENT_INTENTS: readonly ManagementActionName[] = ['set_hours', 'pause_bookings', 'resume_bookings', 'cancel_booking', 'announcement'];

function facts(b: BusinessContext): BusinessFacts {
  return { id: b.id, name: b.name, timeZone: b.timeZone, acceptingBookings: b.acceptingBookings };
}

function closed(): Pick<AgentResult, 'memory' | 'task'> {
  return { memory: {}, task: null };
}

/** The requester as people know them: "Bruno Matos (manager)" (the role they held when asking). */
async function requesterName(input: AgentInput, pending: PendingAction): Promise<string> {
  const { userId, role } = pending.requestedBy;
  const members = await input.use(membersWithRoleTool, { businessId: pending.businessId, roles: ROLES });
  return `${members.find((m) => m.userId === userId)?.displayName ?? userId} (${role})`;
}

type Answer = 'confirm' | 'decline' | 'replace';
const ANSWER_WORDS: Record<Answer, { verb: string; not: string }> = {
  confirm: { verb: 'confirm it', not: 'run' },
  decline: { verb: 'decline it', not: 'discard' },
  replace: { verb: 'replace it with another request', not: 'replace' },
};

type Right = { ok: true; role: Role; as: Extract<DecisionRight, { allowed: true }>['as'] } | { ok: false; result: AgentResult };

/**
 * Whether the sender of this message may answer `pending` (confirm it, decline it, or
 * replace it with a new request): it must be about the pending action's business, and
 * from the requester or a member ranking above them. Refused: the audit row and the
 * reply; the action keeps waiting, unless the refused one is the requester themselves
 * (their role is gone, so the request is void and closed).
 */
async function answerRight(input: AgentInput, pending: PendingAction, answer: Answer): Promise<Right> {
  const { message } = input;
  const words = ANSWER_WORDS[answer];
  const requester = pending.requestedBy;
  const common = { businessId: pending.businessId, action: pending.action, requestedBy: requester.userId };
  const about = { answer, requestEventId: pending.requestEventId, requesterRole: requester.role };
  if (message.businessId !== pending.businessId) {
    return {
      ok: false,
      result: await deny(input, {
        ...common,
        field: 'businessId',
        text: `The request waiting here is for ${pending.businessId}, but your message is about ${message.businessId}, so I did not ${words.not} it. It is still waiting for an answer about ${pending.businessId}.`,
        notice: `This ${answer} is about business ${message.businessId}; the pending ${pending.action} is for ${pending.businessId}.`,
        detail: { ...about, reason: 'business mismatch', messageBusinessId: message.businessId },
      }),
    };
  }
  if (message.userId === requester.userId) {
    // The requester needs the role the action needs, now; lost, the request is void.
    const checked = await guard(input, pending.action, { confirming: pending.requestEventId, answer });
    return checked.allowed ? { ok: true, role: checked.decision.role!, as: 'requester' } : { ok: false, result: { ...checked.result, ...closed() } };
  }
  const role = await input.use(memberRoleTool, { businessId: pending.businessId, userId: message.userId });
  const right = decisionRightFor(POLICY[pending.action], requester, { userId: message.userId, role });
  if (right.allowed) return { ok: true, role: role!, as: right.as };
  const you = role === null ? 'you are not a member of this business' : `you are ${role}`;
  const higher = ROLES.filter((r) => roleAbove(r, requester.role) && roleAtLeast(r, right.required));
  const who = await requesterName(input, pending);
  const orHigher = higher.length > 0 ? ' or a member with a higher role' : '';
  const ask = higher.length > 0 ? await askWhom(input, pending.businessId, higher, (m) => m.userId !== message.userId) : '';
  return {
    ok: false,
    result: await deny(input, {
      ...common,
      text: `Only ${who}, who asked to ${pending.description},${orHigher ? `${orHigher},` : ''} can ${words.verb}; ${you}. It is still waiting for their answer.${ask}`,
      notice: `Only the member who asked for this ${pending.action}${orHigher} can ${words.verb}; ${you}.`,
      detail: { ...about, role, required: right.required, reason: right.why },
    }),
  };
}

/**
 * The audit row of an allowed answer the processor itself acts on: a "no" (or a
 * replacement), or the "yes" to cancelling a workflow: who decided whose request, how.
 */
async function recordDecision(input: AgentInput, pending: PendingAction, decision: 'confirmed' | 'declined', detail: Record<string, unknown>): Promise<void> {
  await input.use(recordAuditTool, {
    businessId: pending.businessId,
    userId: input.message.userId,
    action: pending.action,
    allowed: true,
    eventId: input.message.eventId,
    requestedBy: pending.requestedBy.userId,
    decided: { by: input.message.userId, decision },
    detail: {
      ...detail,
      requesterRole: pending.requestedBy.role,
      requestEventId: pending.requestEventId,
      conversationId: input.message.conversationId,
      description: pending.description,
    },
  });
}

/** The audit row of an allowed "no" (or a replacement): who declined whose request. */
function recordDecline(input: AgentInput, pending: PendingAction, right: Extract<Right, { ok: true }>, detail: Record<string, unknown>): Promise<void> {
  return recordDecision(input, pending, 'declined', { ...detail, outcome: 'declined', declinedAs: right.as, role: right.role });
}

/** The plan for a management request, from the facts the tools look up. */
async function plan(input: AgentInput, action: PendingActionName): Promise<Plan> {
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
    case 'cancel_workflow':
      return planWorkflowCancel(input, business);
  }
}

async function request(input: AgentInput, action: PendingActionName): Promise<AgentResult> {
  const checked = await guard(input, action);
  if (!checked.allowed) return checked.result;
  const read = readPending(input.memory, input.message.conversationId);
  const previous = read.kind === 'pending' && !isExpired(read.pending, input.now) ? read.pending : null;
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
  if (previous) {
    // A new request replaces the one waiting, which declines it: the same right as a "no".
    const right = await answerRight(input, previous, 'replace');
    if (!right.ok) return right.result;
    await recordDecline(input, previous, right, { replacedBy: action });
  }
  const business = businessOf(input);
  const pending: PendingAction = {
    action,
    businessId: business.id,
    conversationId: input.message.conversationId,
    params: planned.params,
    description: planned.description,
    requestedBy: { userId: input.message.userId, role: checked.decision.role! } satisfies Requester,
    requestEventId: input.message.eventId,
    requestedAt: input.now.getTime(),
  };
  const replaced = previous ? ` (This replaces the earlier request to ${previous.description}.)` : '';
  return {
    text: `Please confirm: I will ${planned.description}. Reply “yes” to go ahead or “no” to discard it.${replaced}`,
    cards: [planned.card],
    suggestions: ['Yes', 'No'],
    outcome: 'CONFIRMATION_REQUESTED',
    memory: { pending: pending as unknown as JsonObject },
    task: { pendingSlots: [], awaitingConfirmation: true, description: `${action} awaiting confirmation` },
  };
}

const NOTHING_PENDING: AgentResult = { text: 'Nothing is waiting for your confirmation.', outcome: 'ANSWERED', ...closed() };

/** A pending action kept without its requester, or of another conversation: never run, asked again. */
function unbound(description: string): AgentResult {
  return {
    text: `I can't tell who asked to ${description}, so I did not run it and discarded it. Please ask again if it is still wanted.`,
    outcome: 'ANSWERED',
    ...closed(),
  };
}

/** The pending action a "yes" or "no" answers, or the reply when there is none it can answer. */
function answered(input: AgentInput): { pending: PendingAction } | { reply: AgentResult } {
  const read = readPending(input.memory, input.message.conversationId);
  if (read.kind === 'none') return { reply: NOTHING_PENDING };
  if (read.kind === 'unbound') return { reply: unbound(read.description) };
  return { pending: read.pending };
}

async function confirm(input: AgentInput): Promise<AgentResult> {
  const found = answered(input);
  if ('reply' in found) return found.reply;
  const { pending } = found;
  if (isExpired(pending, input.now)) {
    return { text: `The request to ${pending.description} expired (more than 15 minutes ago), so I did not run it. Ask again if you still want it.`, outcome: 'ANSWERED', ...closed() };
  }
  // Checked again, now: the role may have changed since the request, or it is someone else saying yes.
  const right = await answerRight(input, pending, 'confirm');
  if (!right.ok) return right.result;
  const onBehalf = right.as === 'higher_role' ? ` (asked by ${await requesterName(input, pending)}; confirmed by you as ${right.role})` : '';
  if (pending.action === 'cancel_workflow') return confirmCancel(input, pending, right, onBehalf);
  const action = pending.action;
  return {
    text: `Confirmed: I'm going to ${pending.description}${onBehalf}. You will see the result here when it is done.`,
    outcome: 'WORKFLOW_STARTED',
    workflows: [{
      action: 'start',
      kind: 'managementAction',
      // From the confirming message: a redelivered "yes" finds the run it started.
      workflowId: managementWorkflowId(input.message.eventId),
      input: {
        action,
        // The pending action's business (answerRight checked the message is about it).
        businessId: pending.businessId,
        userId: input.message.userId,
        requestedBy: pending.requestedBy,
        params: pending.params,
        conversationId: pending.conversationId,
        causationId: input.message.eventId,
        chatType: 'DASHBOARD',
      },
    }],
    ...closed(),
  };
}

/**
 * An allowed "yes" to cancelling a workflow: the workflow is looked up again (it may
 * have ended since the request), the decision is audited as a management action's
 * is (who asked, who confirmed, as what), and the workflow stage cancels it with the
 * reason, as `x7 workflows cancel` does.
 */
async function confirmCancel(input: AgentInput, pending: PendingAction, right: Extract<Right, { ok: true }>, onBehalf: string): Promise<AgentResult> {
  const params = pending.params;
  if (!isCancelWorkflowParams(params)) return unbound(pending.description);
  const workflow = await input.use(findWorkflowTool, { businessId: pending.businessId, workflowId: params.workflowId });
  const running = workflow?.status === 'Running';
  await recordDecision(input, pending, 'confirmed', {
    // Not `workflowId`: that key marks the management workflow's own rows (recordAudit).
    targetWorkflowId: params.workflowId,
    workflowKind: params.kind,
    bookingId: params.bookingId,
    reason: params.reason,
    outcome: running ? 'cancel_requested' : 'already_ended',
    confirmedAs: right.as,
    confirmerRole: right.role,
  });
  if (!running) {
    const state = workflow ? `has already ended (${statusWords(workflow.status)})` : 'is gone';
    return { text: `Workflow ${params.workflowId} ${state}, so there was nothing to cancel.`, outcome: 'ANSWERED', ...closed() };
  }
  return {
    text: `Confirmed: I'm cancelling it: ${pending.description}${onBehalf}.`,
    outcome: 'ANSWERED',
    workflows: [{ action: 'cancel', workflowId: params.workflowId, reason: params.reason }],
    ...closed(),
  };
}

async function decline(input: AgentInput): Promise<AgentResult> {
  const found = answered(input);
  if ('reply' in found) return found.reply;
  const { pending } = found;
  // An expired request can run no more: there is nothing left to decide.
  if (isExpired(pending, input.now)) return { text: `OK: the request to ${pending.description} had already expired; nothing will run.`, outcome: 'ANSWERED', ...closed() };
  const right = await answerRight(input, pending, 'decline');
  if (!right.ok) return right.result;
  await recordDecline(input, pending, right, {});
  const whose = right.as === 'higher_role' ? ` (${await requesterName(input, pending)} asked for it)` : '';
  return { text: `OK, discarded: I will not ${pending.description}${whose}.`, outcome: 'ANSWERED', ...closed() };
}

export function managementWorkflowId(confirmingEventId: string): string {
  return `management-${confirmingEventId}`;
}

export const managementAgent: Agent = {
  name: 'management',
  opensTasks: true,
  chatTypes: ['DASHBOARD'],
  intents: [...MANAGEMENT_INTENTS, 'workflow_cancel', 'confirm', 'reject'],
  tools: [...GUARD_TOOLS, openingHoursTool, upcomingBookingsTool, findBookingTool, ...WORKFLOW_CANCEL_TOOLS],
  followUpIntents: ['confirm', 'reject', 'unknown'],
  async handle(input) {
    const intent = input.understanding.intent;
    if ((MANAGEMENT_INTENTS as readonly string[]).includes(intent)) return request(input, intent as ManagementActionName);
    if (intent === 'workflow_cancel') return request(input, 'cancel_workflow');
    if (intent === 'confirm') return confirm(input);
    if (intent === 'reject') return decline(input);
    // Anything else while an action waits: keep it waiting and say how to answer.
    const read = readPending(input.memory, input.message.conversationId);
    const pending = read.kind === 'pending' ? read.pending : null;
    if (pending && !isExpired(pending, input.now)) {
      if (pending.requestedBy.userId === input.message.userId) {
        return { text: `I'm waiting for your answer: shall I ${pending.description}? Reply “yes” or “no”.`, suggestions: ['Yes', 'No'], outcome: 'ANSWERED' };
      }
      // Another member of the shared conversation: say whose answer it waits for.
      return { text: `I'm waiting for ${await requesterName(input, pending)} to answer: shall I ${pending.description}? They, or a member with a higher role, can reply “yes” or “no”.`, outcome: 'ANSWERED' };
    }
    return null;
  },
};
