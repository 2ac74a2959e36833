// The graph path: agent → workflow → respond as a LangGraph StateGraph, for
// messages that open or continue a multi-turn task (routing.ts says which).
//
// The state is named channels: the conversation's lasting state (turns, memory,
// openTask), restored and saved by the checkpointer over the conversation store
// (./checkpointer.ts), and one channel per stage result. The nodes are the same
// stage functions the direct path calls (./stages.ts).
//
// The `/web` entry point: it does not install LangGraph's AsyncLocalStorage, whose
// async hooks every promise in the process would pay for; the run's context is
// passed explicitly in `configurable` instead.
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph/web';
import type { ProcessingContext } from '../../src/pipeline/processor.js';
import type { JsonObject, OpenTask, Turn } from './agent.js';
import type { Selection } from './agents.js';
import { PARTITION_KEY, type ConversationCheckpointer } from './checkpointer.js';
import {
  agentStage, respondStage, workflowStage,
  type AgentStageResult, type ConversationResult, type RespondResult, type StageEnv, type TurnInput,
} from './stages.js';
import { timed } from './timing.js';
import type { WorkflowOutcome } from './workflow-stage.js';

// No langsmith run trees when tracing is off. @langchain/core builds a root RunTree
// (random ids, timestamps, environment lookups) around every runnable a graph runs
// (each node, each channel write, each edge), and with the /web entry it is stored
// in a no-op context and dropped: ≈15 % of a graph turn's CPU for nothing. Its own
// switch (`avoidCreatingRootRunTree`) is not reachable through LangGraph, so it is
// set here, for this process, only while no LANGSMITH/LANGCHAIN tracing variable is on.
const TRACING_VARIABLES = ['LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING'];
if (!TRACING_VARIABLES.some((name) => process.env[name] === 'true')) {
  const runWithConfig = AsyncLocalStorageProviderSingleton.runWithConfig.bind(AsyncLocalStorageProviderSingleton);
  AsyncLocalStorageProviderSingleton.runWithConfig = (config, callback, avoidCreatingRootRunTree) =>
    runWithConfig(config, callback, avoidCreatingRootRunTree ?? true);
}

const ChatGraphState = Annotation.Root({
  // The conversation's lasting state (what the checkpointer restores and saves).
  turns: Annotation<Turn[]>,
  memory: Annotation<Record<string, JsonObject>>,
  openTask: Annotation<OpenTask | null>,
  // This message: the conversation stage's result and the selection (the graph's input), then each stage's.
  conversation: Annotation<ConversationResult>,
  selection: Annotation<Selection>,
  agents: Annotation<AgentStageResult>,
  workflows: Annotation<WorkflowOutcome[]>,
  response: Annotation<RespondResult>,
});
type GraphState = typeof ChatGraphState.State;

/** What one run needs besides its state; passed in `configurable`, never checkpointed. */
interface Run {
  input: TurnInput;
  context: ProcessingContext;
  latencies: Record<string, number>;
}
const RUN_KEY = 'x7_run';

function runOf(config: LangGraphRunnableConfig): Run {
  const run = config.configurable?.[RUN_KEY] as Run | undefined;
  if (!run) throw new Error('the chat graph was invoked without its message');
  return run;
}

/** The message's input with the state as the graph's channels hold it. */
function inputOf(state: GraphState, run: Run): TurnInput {
  return { ...run.input, state: { turns: state.turns ?? [], memory: state.memory ?? {}, openTask: state.openTask ?? null } };
}

export function buildChatGraph(env: StageEnv, checkpointer: ConversationCheckpointer, name: string) {
  async function agent(state: GraphState, config: LangGraphRunnableConfig): Promise<Partial<GraphState>> {
    const run = runOf(config);
    const agents = await timed(run.context, run.latencies, 'agent', () => agentStage(env, inputOf(state, run), state.conversation, state.selection));
    return { agents };
  }

  async function workflow(state: GraphState, config: LangGraphRunnableConfig): Promise<Partial<GraphState>> {
    const run = runOf(config);
    const workflows = await timed(run.context, run.latencies, 'workflow', () => workflowStage(env, inputOf(state, run), state.agents));
    return { workflows };
  }

  async function respond(state: GraphState, config: LangGraphRunnableConfig): Promise<Partial<GraphState>> {
    const run = runOf(config);
    const response = respondStage(inputOf(state, run), state.conversation, state.agents, new Date(run.context.clock.now()), run.latencies, run.context);
    return { response, turns: response.state.turns, memory: response.state.memory, openTask: response.state.openTask };
  }

  const graph = new StateGraph(ChatGraphState)
    .addNode('agent', agent)
    .addNode('workflow', workflow)
    .addNode('respond', respond)
    .addEdge(START, 'agent')
    .addEdge('agent', 'workflow')
    .addEdge('workflow', 'respond')
    .addEdge('respond', END)
    .compile({ checkpointer, name });

  /** Runs agent → workflow → respond for one message; the state it saved is the response's. */
  return async function runGraph(input: TurnInput, conversation: ConversationResult, selection: Selection, context: ProcessingContext, latencies: Record<string, number>): Promise<RespondResult> {
    let final: GraphState;
    let saved;
    try {
      final = (await graph.invoke(
        { conversation, selection },
        {
          configurable: { thread_id: input.message.conversationId, [PARTITION_KEY]: context.source.partition, [RUN_KEY]: { input, context, latencies } satisfies Run },
          // One checkpoint per message, when the graph is done: a run that fails half way saves nothing.
          durability: 'exit',
        },
      )) as GraphState;
    } finally {
      // Also after a failure: LangGraph saves what the failed run had, which must not linger.
      saved = checkpointer.take(input.message.conversationId);
    }
    if (!saved) throw new Error(`the chat graph saved no state for ${input.message.conversationId}`);
    return { ...final.response, state: saved };
  };
}
