// A chat type's processor: one message through the stages, by the direct path or
// the graph (routing.ts), over the conversation store.
//
// Safe to repeat, in three ways:
//  - Nothing lasting is written here: the state, the messages and the outputs are
//    staged in the conversation store, which writes them just before the Kafka
//    transaction commits. A message that fails half way leaves nothing behind.
//  - A message whose state says it was applied (committed to PostgreSQL, its Kafka
//    transaction not) gets its stored outputs back: one keyed read, no agent runs.
//  - Agents' own effects (bookings, audit rows, workflows) use ids derived from the
//    eventId, so a message processed again does not do them twice.
import type { ChatProcessor, ProcessorResult } from '../../src/pipeline/processor.js';
import { isApplied } from '../../src/state/conversation-store.js';
import { AgentRegistry } from './agents.js';
import { ConversationCheckpointer } from './checkpointer.js';
import type { ChatTypeDefinition, ProcessorDeps } from './deps.js';
import { buildChatGraph } from './graph.js';
import { routeOf } from './routing.js';
import { agentStage, conversationStage, respondStage, selectionFor, workflowStage, type StageEnv, type TurnInput } from './stages.js';
import { EMPTY_STATE, restoreOutputs } from './state.js';
import { timed } from './timing.js';
import { poolDb } from './tools.js';

export const DEFAULT_TIME_ZONE = 'Europe/Lisbon';

export function createChatProcessor(definition: ChatTypeDefinition, deps: ProcessorDeps): ChatProcessor {
  const places = definition.places ?? [];
  const env: StageEnv = {
    registry: new AgentRegistry(definition.agents),
    db: poolDb(deps.pool, deps.config.databaseUrl, { preparedStatements: deps.config.pgPreparedStatements ?? true }),
    business: (id) => deps.businesses.business(id),
    businesses: (ids) => deps.businesses.businesses(ids),
    catalog: () => deps.businesses.catalog(places),
    defaultTimeZone: definition.defaultTimeZone ?? DEFAULT_TIME_ZONE,
    workflows: deps.workflows,
    llm: deps.llm ?? null,
  };
  const checkpointer = new ConversationCheckpointer(deps.store);
  const runGraph = buildChatGraph(env, checkpointer, `x7-${definition.chatType.toLowerCase()}`);

  return {
    chatType: definition.chatType,
    async process(message, context): Promise<ProcessorResult> {
      const position = { partition: context.source.partition, offset: context.source.offset };
      const stored = await deps.store.read(position.partition, message.conversationId);
      if (isApplied(stored, message.eventId, position)) {
        const outputs = await deps.store.storedOutputs(position.partition, message.eventId);
        if (outputs === undefined) throw new Error(`event ${message.eventId} was applied to ${message.conversationId}, but its outputs are no longer stored`);
        context.logger.info({ path: 'replay' }, 'event already applied; producing its stored outputs again');
        const restored = restoreOutputs(outputs as Parameters<typeof restoreOutputs>[0]);
        const fact = restored.find((o) => o.topic === 'chat.analytics');
        return { outputs: restored, outcome: fact?.topic === 'chat.analytics' ? fact.value.outcome : 'UNKNOWN' };
      }

      const input: TurnInput = {
        message,
        state: stored.state ?? EMPTY_STATE,
        now: new Date(context.clock.now()),
        logger: context.logger,
        ...(context.traceparent ? { traceparent: context.traceparent } : {}),
      };
      const latencies: Record<string, number> = { ...context.stageLatenciesMs };
      // The chat type's own say first (DEDICATED: a conversation handed off to a person is not the agents').
      const intercepted = definition.intercept ? await definition.intercept(env, input, context, latencies) : null;
      let response;
      if (intercepted && 'respond' in intercepted) {
        response = intercepted.respond;
      } else {
        if (intercepted) input.state = intercepted.continueWith;
        const conversation = await timed(context, latencies, 'conversation', () => conversationStage(env, input));
        const selection = selectionFor(env, input, conversation);
        if (routeOf(input.state.openTask, selection) === 'graph') {
          response = await runGraph(input, conversation, selection, context, latencies);
        } else {
          const agents = await timed(context, latencies, 'agent', () => agentStage(env, input, conversation, selection));
          await timed(context, latencies, 'workflow', () => workflowStage(env, input, agents));
          response = respondStage(input, conversation, agents, new Date(context.clock.now()), latencies, context);
        }
      }
      deps.store.stage({
        conversationId: message.conversationId,
        eventId: message.eventId,
        position,
        state: response.state,
        outputs: response.outputs,
        exchange: response.exchange,
      });
      return { outputs: response.outputs, outcome: response.outcome };
    },
  };
}
