// The four stages every chat type runs, as plain functions with one typed result
// each. The direct path (./turn.ts) calls them one after another; the graph path
// (./graph.ts) makes them LangGraph nodes. Neither path writes anything lasting
// here: respond returns the next conversation state and the rows to store, and the
// conversation store writes them with the Kafka commit.
import type { ChatMessage } from '../../src/events.js';
import type { ExchangeRows } from '../../src/state/conversation-store.js';
import { derivedEventId } from '../../src/pipeline/ids.js';
import type { Logger } from '../../src/log.js';
import type { ProcessingContext, ProcessorOutput } from '../../src/pipeline/processor.js';
import { understand, understandWith, type Catalog, type LlmClient, type Understanding, type UnderstandingContext } from '../../src/understanding/index.js';
import type { AgentContribution, AgentInput, BusinessContext, JsonObject, OpenTask, Turn } from './agent.js';
import { assertDeclared, coordinate, secondaryIntents, type AgentRegistry, type Selection } from './agents.js';
import type { WorkflowStarter } from './deps.js';
import { buildOutputs, composeReply, outcomeOf } from './respond.js';
import { appendTurns, type ConversationState } from './state.js';
import { elapsedMs } from './timing.js';
import type { Db } from './tools.js';
import { runWorkflowRequests, type WorkflowOutcome } from './workflow-stage.js';

/** What the stages run on: built once per chat type. */
export interface StageEnv {
  registry: AgentRegistry;
  db: Db;
  business(id: string): Promise<BusinessContext | null>;
  /** Several cached business rows at once (the tools' `businesses`). */
  businesses(ids: readonly string[]): Promise<ReadonlyMap<string, BusinessContext>>;
  catalog(): Promise<Catalog>;
  /** The clock zone of a conversation without a business (GLOBAL). */
  defaultTimeZone: string;
  workflows: WorkflowStarter;
  /** The LLM for what the rules are unsure of; null: the rules alone (the default). */
  llm: LlmClient | null;
}

/** One message and what it is processed with. */
export interface TurnInput {
  message: ChatMessage;
  /** The conversation as it was before this message. */
  state: ConversationState;
  /** The processing clock ("now" for queries). */
  now: Date;
  logger: Logger;
  traceparent?: string;
}

export interface ConversationResult {
  business: BusinessContext | null;
  understanding: Understanding;
  /** The recent turns with the user's message last. */
  turns: Turn[];
}

/** conversation: the business, the understanding of the message and the user's turn. */
export async function conversationStage(env: StageEnv, input: TurnInput): Promise<ConversationResult> {
  const { message, state } = input;
  let business: BusinessContext | null = null;
  if (message.businessId !== null) {
    business = await env.business(message.businessId);
    // Validation checked the business exists; gone since is not something to retry.
    if (!business) throw new Error(`business ${message.businessId} no longer exists`);
  }
  const openTask = state.openTask;
  const context: UnderstandingContext = {
    chatType: message.chatType,
    // "tomorrow" means the day after the user wrote it, also when processed again later.
    now: message.sentAt,
    timeZone: business?.timeZone ?? env.defaultTimeZone,
    catalog: await env.catalog(),
    ...(openTask ? { pendingSlots: openTask.pendingSlots, hasPendingAction: openTask.awaitingConfirmation } : {}),
    ...(business ? { businessCategory: business.category } : {}),
  };
  // Without an LLM the rules' synchronous path, exactly as before: nothing on the hot path waits.
  const understanding = env.llm ? await understandWith(env.llm, message.text, context) : understand(message.text, context);
  if (understanding.rejectedAnswer) {
    input.logger.warn({ reason: understanding.rejectedAnswer.reason, answer: understanding.rejectedAnswer.answer }, 'the LLM answered outside the schema; the message is understood as unknown');
  }
  const turn: Turn = {
    role: 'user', text: message.text, intent: understanding.intent, agent: null, eventId: message.eventId, at: message.sentAt.getTime(),
  };
  return { business, understanding, turns: appendTurns(state.turns, [turn]) };
}

/** Which agents to ask, in order, and why: pure, from the declarations and the open task. */
export function selectionFor(env: StageEnv, input: TurnInput, conversation: ConversationResult): Selection {
  const { understanding, business } = conversation;
  return env.registry.select({
    chatType: input.message.chatType,
    category: business?.category ?? null,
    intent: understanding.intent,
    secondaryIntents: secondaryIntents(understanding.matched, understanding.intent),
    openTask: input.state.openTask,
  });
}

export interface AgentStageResult {
  contributions: AgentContribution[];
  /** The agent that answered, and why it was chosen. */
  agent: string | null;
  reason: string;
  /** Agent memory and the open task after this message. */
  memory: Record<string, JsonObject>;
  openTask: OpenTask | null;
}

/** agent: ask the selected agents in order, let contributors add; collect memory and task changes. */
export async function agentStage(env: StageEnv, input: TurnInput, conversation: ConversationResult, selection: Selection): Promise<AgentStageResult> {
  const { message, state, now } = input;
  const { understanding, business } = conversation;
  const coordinated = await coordinate(selection, async (candidate, previous) => {
    const chosen = candidate.agent;
    const logger = input.logger.child({ agent: chosen.name });
    const agentInput: AgentInput = {
      message,
      understanding,
      business,
      now,
      turns: conversation.turns,
      memory: state.memory[chosen.name] ?? {},
      openTask: state.openTask,
      reason: candidate.reason,
      previous,
      logger,
      use: async (tool, args) => {
        assertDeclared(chosen, tool.name);
        return tool.run({ db: env.db, workflows: env.workflows, now, business, businesses: env.businesses, logger }, args);
      },
    };
    return chosen.handle(agentInput);
  });

  let memory = state.memory;
  let openTask = state.openTask;
  for (const { agent: name, result } of coordinated.contributions) {
    if (result.memory !== undefined) memory = { ...memory, [name]: result.memory };
    if (result.task === null) {
      if (openTask?.agent === name) openTask = null;
    } else if (result.task !== undefined) {
      openTask = { agent: name, ...result.task };
    }
  }
  return { contributions: coordinated.contributions, agent: coordinated.agent, reason: coordinated.reason, memory, openTask };
}

/** workflow: start and cancel what the agents asked for, idempotently. */
export async function workflowStage(env: StageEnv, input: TurnInput, agents: AgentStageResult): Promise<WorkflowOutcome[]> {
  const requests = agents.contributions.flatMap((c) => c.result.workflows ?? []);
  if (requests.length === 0) return [];
  // The workflows carry the message's trace on, into the records their activities publish.
  return runWorkflowRequests(env.workflows, requests, input.traceparent ? { traceparent: input.traceparent } : {});
}

export interface RespondResult {
  outputs: ProcessorOutput[];
  outcome: string;
  /** The conversation after this message. */
  state: ConversationState;
  /** The rows to store: the conversation, the user's message and the reply. */
  exchange: ExchangeRows;
}

/**
 * respond: the outputs, the next state and the rows to store (pure; the store writes
 * them). `latencies` holds the stages so far; respond adds its own before the
 * analytics fact is built, and reports it.
 */
export function respondStage(
  input: TurnInput,
  conversation: ConversationResult,
  agents: AgentStageResult,
  producedAt: Date,
  latencies: Record<string, number>,
  context: Pick<ProcessingContext, 'observeStage'>,
): RespondResult {
  const started = performance.now();
  const { message } = input;
  const intent = conversation.understanding.intent;
  const reply = composeReply(agents.contributions);
  latencies.respond = elapsedMs(started);
  context.observeStage?.('respond', latencies.respond);
  const outputs = buildOutputs({
    message,
    contributions: agents.contributions,
    intent,
    agent: agents.agent,
    agentReason: agents.reason,
    understoodBy: conversation.understanding.source === 'llm' ? 'LLM' : 'RULES',
    producedAt,
    stageLatenciesMs: { ...latencies },
  });
  const turns = reply
    ? appendTurns(conversation.turns, [{ role: 'assistant', text: reply.text, intent: null, agent: reply.agent, eventId: message.eventId, at: producedAt.getTime() }])
    : conversation.turns;
  const messages: ExchangeRows['messages'] = [
    { eventId: message.eventId, role: 'user', text: message.text, intent, agent: null, createdAt: message.sentAt },
  ];
  if (reply) messages.push({ eventId: derivedEventId(message.eventId, 'reply'), role: 'assistant', text: reply.text, intent, agent: reply.agent, createdAt: producedAt });
  return {
    outputs,
    outcome: outcomeOf(agents.contributions),
    state: { turns, memory: agents.memory, openTask: agents.openTask },
    exchange: {
      conversation: { id: message.conversationId, chatType: message.chatType, userId: message.userId, businessId: message.businessId, sentAt: message.sentAt },
      messages,
    },
  };
}
