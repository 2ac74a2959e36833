// The graph's checkpointer: LangGraph's checkpoint protocol over the conversation
// store, so the graph path and the direct path read and write one small state.
//
// It keeps exactly one checkpoint per thread (the conversation's state of record)
// and no history: a message that fails half way is processed again from the start
// (the runtime retries it), so neither time travel nor pending writes are needed.
// `getTuple` builds the checkpoint from the store's state (staged or committed);
// `put` keeps the state the graph ended with for the processor to stage with the
// message's outputs, so nothing is written before the Kafka commit.
import { BaseCheckpointSaver, uuid6, type Checkpoint, type CheckpointListOptions, type CheckpointTuple } from '@langchain/langgraph-checkpoint';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { ConversationStore } from '../../src/state/conversation-store.js';
import type { ConversationState } from './state.js';

/** The channels of the graph that are the conversation's state (the rest is per message). */
export const STATE_CHANNELS = ['turns', 'memory', 'openTask'] as const;

/** configurable key of the input partition the message came from (the store caches per partition). */
export const PARTITION_KEY = 'x7_partition';

export class ConversationCheckpointer extends BaseCheckpointSaver {
  /** The state each thread's last `put` saved, taken by the processor after the run. */
  private readonly saved = new Map<string, ConversationState>();

  constructor(private readonly store: ConversationStore<ConversationState>) {
    super();
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string;
    const partition = config.configurable?.[PARTITION_KEY] as number;
    const { state, version } = await this.store.read(partition, threadId);
    if (state === null) return undefined;
    const checkpoint: Checkpoint = {
      v: 4,
      id: uuid6(-1),
      ts: new Date().toISOString(),
      channel_values: { turns: state.turns, memory: state.memory, openTask: state.openTask },
      channel_versions: Object.fromEntries(STATE_CHANNELS.map((c) => [c, version])),
      versions_seen: {},
    };
    return {
      config: { configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: checkpoint.id } },
      checkpoint,
      metadata: { source: 'update', step: -1, parents: {} },
      pendingWrites: [],
    };
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id as string;
    const values = checkpoint.channel_values as Partial<ConversationState>;
    this.saved.set(threadId, { turns: values.turns ?? [], memory: values.memory ?? {}, openTask: values.openTask ?? null });
    return { configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: checkpoint.id } };
  }

  /** The state the graph's run saved for `threadId` (once; the next run starts from the store). */
  take(threadId: string): ConversationState | undefined {
    const state = this.saved.get(threadId);
    this.saved.delete(threadId);
    return state;
  }

  // Pending writes let an interrupted run resume half way; ours are redone whole.
  async putWrites(): Promise<void> {}

  async *list(config: RunnableConfig, _options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const tuple = await this.getTuple(config);
    if (tuple) yield tuple;
  }

  async deleteThread(threadId: string): Promise<void> {
    this.saved.delete(threadId);
  }
}
