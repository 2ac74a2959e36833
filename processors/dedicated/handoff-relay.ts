// A DEDICATED conversation handed off to a person, before any agent is asked
// (ChatTypeDefinition.intercept):
//  - a STAFF message (a member answering, checked by validation: src/pipeline/
//    validation.ts, staffSenderRule) becomes a Reply from that person on the
//    customer's conversation, agent `staff:<userId>`; no agent answers it. The first
//    member to answer takes the hand-off. The message "close hand-off" closes it
//    instead: the conversation goes back to the agents, and the customer is told.
//  - a customer message while a person has the conversation is stored and
//    acknowledged (RECEIVED, DONE) but not answered by agents, so no bot reply is
//    interleaved with a person's. "A person has it": the customer asked for one, or a
//    member has answered. A hand-off opened because no agent could answer leaves the
//    agents answering what they can until someone takes it.
//  - a hand-off closed meanwhile (from the dashboard) is forgotten, and the agents
//    answer again.
// Which conversation might be handed off is in its state (the hand-off agent's
// memory), so the others cost no query.
import { closeHandoff, latestHandoffOf, noteCustomerMessage, openHandoffOf, takeHandoff, type Handoff } from '../../src/db/handoffs.js';
import { isCloseCommand, staffAgentName } from '../../src/handoffs/policy.js';
import { derivedEventId } from '../../src/pipeline/ids.js';
import type { ProcessingContext, ProcessorOutput } from '../../src/pipeline/processor.js';
import type { JsonObject } from '../shared/agent.js';
import type { Interception } from '../shared/deps.js';
import { buildOutputs } from '../shared/respond.js';
import { conversationStage, respondStage, type AgentStageResult, type RespondResult, type StageEnv, type TurnInput } from '../shared/stages.js';
import { appendTurns, type ConversationState } from '../shared/state.js';
import { elapsedMs, timed } from '../shared/timing.js';
import { rowsOf } from '../shared/tools.js';

/** The hand-off agent's memory key, and what it keeps there: the open hand-off's id. */
const MEMORY_KEY = 'handoff';

export function handoffMemory(handoffId: string): JsonObject {
  return { id: handoffId };
}

function rememberedHandoff(state: ConversationState): string | null {
  const id = state.memory[MEMORY_KEY]?.id;
  return typeof id === 'string' ? id : null;
}

function forgetHandoff(state: ConversationState): ConversationState {
  const { [MEMORY_KEY]: _closed, ...memory } = state.memory;
  return { ...state, memory };
}

/** Whether a person has the conversation: the agents keep out of it. */
function personHasIt(handoff: Handoff): boolean {
  return handoff.reason === 'asked' || handoff.takenBy !== null;
}

export async function interceptHandoff(env: StageEnv, input: TurnInput, context: ProcessingContext, latencies: Record<string, number>): Promise<Interception | null> {
  const { message, state } = input;
  if (message.senderRole === 'STAFF') return { respond: await staffTurn(env, input, context, latencies) };
  if (rememberedHandoff(state) === null) return null;
  const rows = rowsOf(env.db);
  const handoff = await timed(context, latencies, 'agent', () => openHandoffOf(rows, message.conversationId));
  if (handoff === null) return { continueWith: forgetHandoff(state) };
  if (!personHasIt(handoff)) return null;
  const conversation = await timed(context, latencies, 'conversation', () => conversationStage(env, input));
  await noteCustomerMessage(rows, handoff.id, message.sentAt);
  const held: AgentStageResult = {
    // No text: no Reply, only the statuses that say the message arrived.
    contributions: [{ agent: 'handoff', result: { text: '', outcome: 'HANDED_OFF' } }],
    agent: 'handoff',
    reason: `hand-off ${handoff.id} is open (${handoff.takenBy ? `taken by ${handoff.takenBy}` : 'the customer asked for a person'}): a person answers, not the agents`,
    memory: state.memory,
    openTask: state.openTask,
  };
  return { respond: respondStage(input, conversation, held, new Date(context.clock.now()), latencies, context) };
}

/** A member's message into the conversation: their answer, or the command that closes the hand-off. */
async function staffTurn(env: StageEnv, input: TurnInput, context: ProcessingContext, latencies: Record<string, number>): Promise<RespondResult> {
  const { message, state, now } = input;
  const rows = rowsOf(env.db);
  const closing = isCloseCommand(message.text);
  const handoff = await timed(context, latencies, 'agent', async () => {
    // Validation let the message through while this hand-off was open; it may have
    // closed since (from the dashboard): an answer written while it was open still goes out.
    const latest = await latestHandoffOf(rows, message.conversationId);
    if (latest === null) throw new Error(`STAFF message ${message.eventId} reached ${message.conversationId}, which was never handed off`);
    if (closing) await closeHandoff(rows, latest.id, message.userId, now, message.eventId);
    else await takeHandoff(rows, latest.id, message.userId, now);
    return latest;
  });
  const started = performance.now();
  const business = message.businessId === null ? null : await env.business(message.businessId);
  const producedAt = new Date(context.clock.now());
  const who = staffAgentName(message.userId);
  // Closing: the person's command is not for the customer; what the customer reads is that the assistant is back.
  const reply = closing
    ? { eventId: derivedEventId(message.eventId, 'reply'), agent: 'handoff', text: `The team at ${business?.name ?? 'the business'} has handed this conversation back to me, the assistant. Ask me anything, or ask for a person again.`, at: producedAt }
    : { eventId: message.eventId, agent: who, text: message.text, at: message.sentAt };
  latencies.respond = elapsedMs(started);
  context.observeStage?.('respond', latencies.respond);
  const outputs = ownedByCustomer(buildOutputs({
    message,
    contributions: [{ agent: reply.agent, result: { text: reply.text, outcome: 'ANSWERED' } }],
    intent: null,
    agent: who,
    agentReason: `a person answered hand-off ${handoff.id}${closing ? ' and closed it' : ''}`,
    understoodBy: 'RULES',
    producedAt,
    stageLatenciesMs: { ...latencies },
  }), handoff.customerId);
  const kept = closing ? forgetHandoff(state) : { ...state, memory: { ...state.memory, [MEMORY_KEY]: handoffMemory(handoff.id) } };
  return {
    outputs,
    outcome: 'ANSWERED',
    state: {
      ...kept,
      turns: appendTurns(state.turns, [{ role: 'assistant', text: reply.text, intent: null, agent: reply.agent, eventId: reply.eventId, at: reply.at.getTime() }]),
    },
    exchange: {
      conversation: { id: message.conversationId, chatType: message.chatType, userId: handoff.customerId, businessId: message.businessId, sentAt: message.sentAt },
      // The person's answer is the conversation's answer (role assistant, agent staff:<id>), under its own eventId.
      messages: [{ eventId: reply.eventId, role: 'assistant', text: reply.text, intent: null, agent: reply.agent, createdAt: reply.at }],
    },
  };
}

/**
 * OutboundEvent.userId is the user the conversation belongs to: the customer, not
 * the member who wrote. The analytics fact keeps the writer (it describes the message).
 */
function ownedByCustomer(outputs: ProcessorOutput[], customerId: string): ProcessorOutput[] {
  return outputs.map((o) => (o.topic === 'chat.outbound' ? { ...o, value: { ...o.value, userId: customerId } } : o));
}
