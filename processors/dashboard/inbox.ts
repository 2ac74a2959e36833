// The DASHBOARD inbox: customer conversations the assistant handed off to a person
// (table `handoffs`, migration 0007). "open hand-offs" or "show the inbox" lists the
// open ones, the longest-waiting first; "close hand-off <ref>" gives one back to the
// assistant. Both check the caller's role first (guard.ts; the least roles are
// src/handoffs/policy.ts's, in policy.ts's table): a denial is a FORBIDDEN notice and
// an audit row, and a close is audited too. Answering happens in the conversation
// itself (the chat page's inbox, through the bridge), not here.
import type { Card } from '../../src/events.js';
import { clipText as clip } from '../../src/understanding/text.js';
import { closeHandoff, countOpen, handoffRef, handoffsByRef, openInbox, type Handoff, type InboxEntry } from '../../src/db/handoffs.js';
import type { Agent, AgentInput, AgentResult, BusinessContext } from '../shared/agent.js';
import { defineTool, rowsOf } from '../shared/tools.js';
import { localWhen } from './actions.js';
import { businessOf, guard, GUARD_TOOLS } from './guard.js';
import { recordAuditTool } from './tools.js';

/** Hand-offs one answer lists as cards; the text says how many more are open. */
const SHOWN = 8;
const ASKED_CHARS = 160;

export const openHandoffsTool = defineTool({
  name: 'open_handoffs',
  description: 'Open hand-offs of the business, the longest-waiting first, and how many are open',
  run: async (ctx, args: { businessId: string; limit: number }) => ({
    entries: await openInbox(rowsOf(ctx.db), { businessId: args.businessId }, args.limit),
    total: await countOpen(rowsOf(ctx.db), args.businessId),
  }),
});

export const handoffsByRefTool = defineTool({
  name: 'handoffs_by_ref',
  description: 'Open hand-offs of the business a message names (by ref or conversation id)',
  run: (ctx, args: { businessId: string; refs: readonly string[]; eventId: string }) => handoffsByRef(rowsOf(ctx.db), args.businessId, args.refs, args.eventId),
});

export const closeHandoffTool = defineTool({
  name: 'close_handoff',
  description: 'Closes a hand-off: the conversation goes back to the assistant',
  run: (ctx, args: { id: string; userId: string; eventId: string }) => closeHandoff(rowsOf(ctx.db), args.id, args.userId, ctx.now, args.eventId),
});

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function inboxCard(e: InboxEntry, business: BusinessContext): Card {
  return {
    kind: 'OTHER',
    title: e.customerName ?? e.customerId,
    subtitle: `waiting since ${localWhen(e.openedAt, business.timeZone)}`,
    businessId: business.id,
    fields: {
      Ref: handoffRef(e),
      Conversation: e.conversationId,
      Asked: clip(e.firstMessage, ASKED_CHARS),
      Why: e.reason === 'asked' ? 'asked for a person' : 'no agent could answer',
      'Taken by': e.takenBy === null ? 'nobody yet' : e.takenByName ?? e.takenBy,
      'Last message': localWhen(e.lastCustomerMessageAt, business.timeZone),
    },
  };
}

async function listInbox(input: AgentInput, business: BusinessContext): Promise<AgentResult> {
  const checked = await guard(input, 'view_handoffs');
  if (!checked.allowed) return checked.result;
  const { entries, total } = await input.use(openHandoffsTool, { businessId: business.id, limit: SHOWN });
  if (total === 0) return { text: `No conversation at ${business.name} is waiting for a person.`, outcome: 'ANSWERED' };
  const more = total > entries.length ? ` The ${entries.length} who have waited longest are below.` : '';
  return {
    text: `${plural(total, 'conversation')} at ${business.name} ${total === 1 ? 'waits' : 'wait'} for a person.${more} Answer them in the inbox of the chat page; "close hand-off <ref>" gives one back to the assistant.`,
    cards: entries.map((e) => inboxCard(e, business)),
    suggestions: entries.slice(0, 2).map((e) => `Close hand-off ${handoffRef(e)}`),
    outcome: 'ANSWERED',
  };
}

async function close(input: AgentInput, business: BusinessContext): Promise<AgentResult> {
  const checked = await guard(input, 'close_handoff');
  if (!checked.allowed) return checked.result;
  const { message } = input;
  // The words of the message, as written (conversation ids are case-sensitive), without trailing punctuation.
  const refs = message.text.split(/\s+/).map((w) => w.replace(/[.,;:!?]+$/, '')).filter((w) => w.length >= 4);
  const named = await input.use(handoffsByRefTool, { businessId: business.id, refs, eventId: message.eventId });
  if (named.length !== 1) {
    const { entries, total } = await input.use(openHandoffsTool, { businessId: business.id, limit: SHOWN });
    const why = named.length === 0 ? 'Which hand-off? Name it by its ref or conversation id' : 'That names more than one hand-off; name one by its ref';
    return {
      text: total === 0 ? `No conversation at ${business.name} is waiting for a person.` : `${why}, e.g. "close hand-off ${handoffRef(entries[0]!)}".`,
      cards: entries.map((e) => inboxCard(e, business)),
      suggestions: entries.slice(0, 3).map((e) => `Close hand-off ${handoffRef(e)}`),
      outcome: 'ANSWERED',
    };
  }
  const target: Handoff = named[0]!;
  const closed = await input.use(closeHandoffTool, { id: target.id, userId: message.userId, eventId: message.eventId });
  if (closed === null) return { text: `Hand-off ${handoffRef(target)} was closed meanwhile; the assistant answers that conversation again.`, outcome: 'ANSWERED' };
  await input.use(recordAuditTool, {
    businessId: business.id,
    userId: message.userId,
    action: 'close_handoff',
    allowed: true,
    eventId: message.eventId,
    detail: { handoffId: closed.id, conversationId: closed.conversationId, customerId: closed.customerId, role: checked.decision.role, dashboardConversationId: message.conversationId },
  });
  return {
    text: `Closed hand-off ${handoffRef(closed)} (conversation ${closed.conversationId}): the assistant answers that customer again.`,
    suggestions: ['Show the inbox'],
    outcome: 'ANSWERED',
  };
}

export const inboxAgent: Agent = {
  name: 'inbox',
  chatTypes: ['DASHBOARD'],
  intents: ['handoffs_list', 'handoff_close'],
  tools: [...GUARD_TOOLS, openHandoffsTool, handoffsByRefTool, closeHandoffTool],
  async handle(input) {
    const business = businessOf(input);
    return input.understanding.intent === 'handoff_close' ? close(input, business) : listInbox(input, business);
  },
};
