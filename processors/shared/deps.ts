// What a chat-type processor is built from: the shared resources (deps), owned and
// closed by whoever created them (the `x7 processor` command, a test), and the chat
// type's own definition (its agents).
import type pg from 'pg';
import type { Config } from '../../src/config.js';
import type { ChatType } from '../../src/events.js';
import type { Clock } from '../../src/pipeline/processor.js';
import type { ConversationStore } from '../../src/state/conversation-store.js';
import type { CatalogPlace } from '../../src/understanding/index.js';
import type { WorkflowManager } from '../../src/workflows/manager.js';
import type { Agent } from './agent.js';
import type { BusinessDirectory } from './business.js';
import type { ConversationState } from './state.js';

/** The part of the workflow manager the pipeline uses (a fake in unit tests). */
export type WorkflowStarter = Pick<WorkflowManager, 'startWorkflow' | 'cancelWorkflow'>;

export interface ProcessorDeps {
  pool: pg.Pool;
  /** Conversation state (thread = conversationId); the runtime flushes it on commit. */
  store: ConversationStore<ConversationState>;
  /** Cached business rows and catalog, shared by the chat types. */
  businesses: BusinessDirectory;
  workflows: WorkflowStarter;
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
}
