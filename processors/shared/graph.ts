// The chat graph every chat type runs: conversation → agent → workflow → respond,
// a LangGraph StateGraph whose state lives in the checkpointer under
// thread = conversationId.
//
// Two rules make it safe to repeat (the runtime retries a message after a
// dependency failure, and redelivers it when the Kafka transaction did not commit):
//  - Only the respond stage writes the lasting state (turns, agent memory, open task,
//    processed outputs). The other stages write the per-message `run` scratch, which
//    the next message overwrites. With durability "exit" LangGraph writes one
//    checkpoint per message, at the end, so a message that failed half way leaves
//    the conversation as it was and is simply processed again.
//  - A message whose eventId is among the processed ones (state committed, Kafka
//    transaction not) gets its stored outputs back; no agent runs again.
import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { ChatMessage } from '../../src/events.js';
import type { ChatProcessor, ProcessingContext, ProcessorOutput } from '../../src/pipeline/processor.js';
import { understand, type Understanding } from '../../src/understanding/index.js';
import type { AgentContribution, AgentInput, BusinessContext, JsonObject, OpenTask, Turn } from './agent.js';
import { AgentRegistry, assertDeclared, coordinate, secondaryIntents } from './agents.js';
import { catalogLoader, loadBusiness } from './business.js';
import type { ChatTypeDefinition, ProcessorDeps } from './deps.js';
import { persistExchange } from './persist.js';
import { buildOutputs, composeReply } from './respond.js';
import {
  appendTurns, findProcessed, rememberOutputs, restoreOutputs, storeOutputs,
  type ProcessedEntry, type StoredOutput,
} from './state.js';
import { poolDb } from './tools.js';
import { runWorkflowRequests, type WorkflowOutcome } from './workflow-stage.js';

export const DEFAULT_TIME_ZONE = 'Europe/Lisbon';

/** The per-message scratch the stages hand on; overwritten by the next message. */
interface RunState {
  eventId: string;
  replay: boolean;
  business?: BusinessContext | null;
  understanding?: Understanding;
  turns?: Turn[];
  contributions?: AgentContribution[];
  agent?: string | null;
  reason?: string;
  memory?: Record<string, JsonObject>;
  openTask?: OpenTask | null;
  workflows?: WorkflowOutcome[];
  latencies: Record<string, number>;
}

const replace = <T>(_: T, next: T) => next;

const ChatState = Annotation.Root({
  turns: Annotation<Turn[]>({ reducer: replace, default: () => [] }),
  memory: Annotation<Record<string, JsonObject>>({ reducer: replace, default: () => ({}) }),
  openTask: Annotation<OpenTask | null>({ reducer: replace, default: () => null }),
  processed: Annotation<ProcessedEntry[]>({ reducer: replace, default: () => [] }),
  run: Annotation<RunState | null>({ reducer: replace, default: () => null }),
});
type State = typeof ChatState.State;

/** What one invocation needs besides the state; passed in the run's config, never checkpointed. */
interface Invocation {
  message: ChatMessage;
  context: ProcessingContext;
}

const INVOCATION_KEY = 'x7_invocation';

function invocation(config: LangGraphRunnableConfig): Invocation {
  const value = config.configurable?.[INVOCATION_KEY] as Invocation | undefined;
  if (!value) throw new Error('the chat graph was invoked without its message');
  return value;
}

function since(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

/** A stage's latency, also reported to the runtime's metrics. */
function timed(context: ProcessingContext, stage: string, started: number): number {
  const ms = since(started);
  context.observeStage?.(stage, ms);
  return ms;
}

export function buildChatGraph(definition: ChatTypeDefinition, deps: ProcessorDeps) {
  const registry = new AgentRegistry(definition.agents);
  const db = poolDb(deps.pool, deps.config.databaseUrl);
  const loadCatalog = catalogLoader(definition.places ?? [], () => deps.clock.now());
  const defaultZone = definition.defaultTimeZone ?? DEFAULT_TIME_ZONE;

  // conversation: the state is already restored by LangGraph; add the business, the
  // understanding and the user's turn.
  const conversation = async (state: State, config: LangGraphRunnableConfig): Promise<Partial<State>> => {
    const started = performance.now();
    const { message, context } = invocation(config);
    if (findProcessed(state.processed, message.eventId)) {
      return { run: { eventId: message.eventId, replay: true, latencies: {} } };
    }
    let business: BusinessContext | null = null;
    if (message.businessId !== null) {
      business = await loadBusiness(db, message.businessId);
      // Validation checked the business exists; gone since is not something to retry.
      if (!business) throw new Error(`business ${message.businessId} no longer exists`);
    }
    const catalog = await loadCatalog(db);
    const openTask = state.openTask;
    const understanding = understand(message.text, {
      chatType: message.chatType,
      // "tomorrow" means the day after the user wrote it, also when processed again later.
      now: message.sentAt,
      timeZone: business?.timeZone ?? defaultZone,
      catalog,
      ...(openTask ? { pendingSlots: openTask.pendingSlots, hasPendingAction: openTask.awaitingConfirmation } : {}),
      ...(business ? { businessCategory: business.category } : {}),
    });
    const turn: Turn = {
      role: 'user', text: message.text, intent: understanding.intent, agent: null, eventId: message.eventId, at: message.sentAt.getTime(),
    };
    return {
      run: {
        eventId: message.eventId,
        replay: false,
        business,
        understanding,
        turns: appendTurns(state.turns, [turn]),
        latencies: { conversation: timed(context, 'conversation', started) },
      },
    };
  };

  // agent: select, ask in order, let contributors add; collect memory and task changes.
  const agent = async (state: State, config: LangGraphRunnableConfig): Promise<Partial<State>> => {
    const started = performance.now();
    const { message, context } = invocation(config);
    const run = state.run!;
    const understanding = run.understanding!;
    const business = run.business ?? null;
    const selection = registry.select({
      chatType: message.chatType,
      category: business?.category ?? null,
      intent: understanding.intent,
      secondaryIntents: secondaryIntents(understanding.matched, understanding.intent),
      openTask: state.openTask,
    });
    const now = new Date(context.clock.now());
    const coordinated = await coordinate(selection, async (candidate, previous) => {
      const chosen = candidate.agent;
      const logger = context.logger.child({ agent: chosen.name });
      const input: AgentInput = {
        message,
        understanding,
        business,
        now,
        turns: run.turns!,
        memory: state.memory[chosen.name] ?? {},
        openTask: state.openTask,
        reason: candidate.reason,
        previous,
        logger,
        use: async (tool, args) => {
          assertDeclared(chosen, tool.name);
          return tool.run({ db, now, business, logger }, args);
        },
      };
      return chosen.handle(input);
    });

    const memory = { ...state.memory };
    let openTask = state.openTask;
    for (const { agent: name, result } of coordinated.contributions) {
      if (result.memory !== undefined) memory[name] = result.memory;
      if (result.task === null) {
        if (openTask?.agent === name) openTask = null;
      } else if (result.task !== undefined) {
        openTask = { agent: name, ...result.task };
      }
    }
    return {
      run: {
        ...run,
        contributions: coordinated.contributions,
        agent: coordinated.agent,
        reason: coordinated.reason,
        memory,
        openTask,
        latencies: { ...run.latencies, agent: timed(context, 'agent', started) },
      },
    };
  };

  const workflow = async (state: State, config: LangGraphRunnableConfig): Promise<Partial<State>> => {
    const started = performance.now();
    const { context } = invocation(config);
    const run = state.run!;
    const requests = (run.contributions ?? []).flatMap((c) => c.result.workflows ?? []);
    // The workflows carry the message's trace on, into the records their activities publish.
    const outcomes = requests.length ? await runWorkflowRequests(deps.workflows, requests, { traceparent: context.traceparent }) : [];
    return { run: { ...run, workflows: outcomes, latencies: { ...run.latencies, workflow: timed(context, 'workflow', started) } } };
  };

  // respond: outputs, Postgres, and the one write of the lasting state.
  const respond = async (state: State, config: LangGraphRunnableConfig): Promise<Partial<State>> => {
    const started = performance.now();
    const { message, context } = invocation(config);
    const run = state.run!;
    const contributions = run.contributions ?? [];
    const producedAt = new Date(context.clock.now());
    const reply = composeReply(contributions);
    await persistExchange(db, {
      message,
      intent: run.understanding?.intent ?? null,
      reply: reply ? { text: reply.text, agent: reply.agent } : null,
      repliedAt: producedAt,
    });
    const outputs = buildOutputs({
      message,
      contributions,
      intent: run.understanding?.intent ?? null,
      agent: run.agent ?? null,
      agentReason: run.reason ?? null,
      producedAt,
      stageLatenciesMs: { ...context.stageLatenciesMs, ...run.latencies, respond: timed(context, 'respond', started) },
    });
    const turns = reply
      ? appendTurns(run.turns!, [{ role: 'assistant', text: reply.text, intent: null, agent: reply.agent, eventId: message.eventId, at: producedAt.getTime() }])
      : run.turns!;
    return {
      turns,
      memory: run.memory ?? state.memory,
      openTask: run.openTask === undefined ? state.openTask : run.openTask,
      processed: rememberOutputs(state.processed, { eventId: message.eventId, outputs: storeOutputs(outputs) }),
      run: null,
    };
  };

  return new StateGraph(ChatState)
    .addNode('conversation', conversation)
    .addNode('agent', agent)
    .addNode('workflow', workflow)
    .addNode('respond', respond)
    .addEdge(START, 'conversation')
    .addConditionalEdges('conversation', (state: State) => (state.run?.replay ? END : 'agent'), ['agent', END])
    .addEdge('agent', 'workflow')
    .addEdge('workflow', 'respond')
    .addEdge('respond', END)
    .compile({ checkpointer: deps.checkpointer, name: `x7-${definition.chatType.toLowerCase()}` });
}

/** A ChatProcessor running the chat graph for one chat type. */
export function createChatProcessor(definition: ChatTypeDefinition, deps: ProcessorDeps): ChatProcessor {
  const graph = buildChatGraph(definition, deps);
  return {
    chatType: definition.chatType,
    async process(message, context): Promise<ProcessorOutput[]> {
      const final = await graph.invoke(
        { run: null },
        {
          configurable: { thread_id: message.conversationId, [INVOCATION_KEY]: { message, context } satisfies Invocation },
          // One checkpoint per message, written when the graph is done (see the header).
          durability: 'exit',
        },
      );
      const entry = findProcessed((final as State).processed, message.eventId);
      if (!entry) throw new Error(`the chat graph finished without outputs for ${message.eventId}`);
      return restoreOutputs(entry.outputs as StoredOutput[]);
    },
  };
}
