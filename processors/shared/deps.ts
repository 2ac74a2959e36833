// What a chat-type processor is built from: the shared resources (deps), owned and
// closed by whoever created them (the `x7 processor` command, a test), and the chat
// type's own definition (its agents).
import type pg from 'pg';
import type { Config } from '../../src/config.js';
import type { ChatType } from '../../src/events.js';
import type { Clock, ProcessingContext } from '../../src/pipeline/processor.js';
import type { ConversationStore } from '../../src/state/conversation-store.js';
import type { CatalogPlace, LlmClient } from '../../src/understanding/index.js';
import type { WorkflowManager } from '../../src/workflows/manager.js';
import type { Agent } from './agent.js';
import type { BusinessDirectory } from './business.js';
import type { RespondResult, StageEnv, TurnInput } from './stages.js';
import type { ConversationState } from './state.js';

/**
 * The part of the workflow manager the pipeline uses (a fake in unit tests): the
 * workflow stage starts and cancels; tools read visibility (list, find one by id).
 */
export type WorkflowStarter = Pick<WorkflowManager, 'startWorkflow' | 'cancelWorkflow'> & WorkflowReader;
/** What tools may read of Temporal: its visibility, on the task queue of the manager. */
export type WorkflowReader = Pick<WorkflowManager, 'listWorkflows' | 'findWorkflow'>;

export interface ProcessorDeps {
  pool: pg.Pool;
  /** Conversation state (thread = conversationId); the runtime flushes it on commit. */
  store: ConversationStore<ConversationState>;
  /** Cached business rows and catalog, shared by the chat types. */
  businesses: BusinessDirectory;
  workflows: WorkflowStarter;
  /** The LLM asked when the rules are unsure (X7_LLM_BASE_URL); absent or null: the rules alone. */
  llm?: LlmClient | null;
  config: Pick<Config, 'databaseUrl'> & Partial<Pick<Config, 'pgPreparedStatements'>>;
  clock: Clock;
}

export interface ChatTypeDefinition {
  chatType: ChatType;
  agents: readonly Agent[];
  /**
   * The clock zone for understanding when the conversation has no business (GLOBAL).
   * DEDICATED and DASHBOARD use the business's zone. Default Europe/Lisbon (the demo city).
   */
  defaultTimeZone?: string;
  /** Named places (neighbourhoods) understanding may recognise in messages, e.g. for GLOBAL search. */
  places?: readonly CatalogPlace[];
  /**
   * Runs before the stages: the chat type's answer instead of its agents' (DEDICATED:
   * a conversation handed off to a person), the state the agents go on from, or null
   * to go on as usual. Must be as safe to repeat as the stages.
   */
  intercept?(env: StageEnv, input: TurnInput, context: ProcessingContext, latencies: Record<string, number>): Promise<Interception | null>;
}

/** What `intercept` decided: answered without the agents, or the agents answer from `continueWith`. */
export type Interception = { respond: RespondResult } | { continueWith: ConversationState };
