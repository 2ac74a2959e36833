// Running the shipped chat processors without Kafka, as the runtime would: each
// message at the next offset of one partition, the conversation store flushed to
// the test's database after each (the runtime flushes it on every commit).
import type pg from 'pg';
import type { ChatMessage } from '../../src/events.js';
import { createLogger, type Logger } from '../../src/log.js';
import { systemClock, type ChatProcessor, type Clock, type ProcessorResult } from '../../src/pipeline/processor.js';
import { ConversationStore } from '../../src/state/conversation-store.js';
import { BusinessDirectory, poolDb, type ConversationState, type ProcessorDeps } from '../../processors/index.js';

export function chatDeps(
  pool: pg.Pool, databaseUrl: string, workflows: ProcessorDeps['workflows'], clock: Clock = systemClock,
  { preparedStatements = true }: { preparedStatements?: boolean } = {},
): ProcessorDeps {
  return {
    pool,
    store: new ConversationStore<ConversationState>(pool, { databaseUrl, ttlSeconds: 3600, preparedStatements }),
    businesses: new BusinessDirectory(poolDb(pool, databaseUrl, { preparedStatements }), () => clock.now()),
    workflows,
    config: { databaseUrl, pgPreparedStatements: preparedStatements },
    clock,
  };
}

/** process(message) at the next offset of `partition`, then the store's flush, as one commit would. */
export function processInTurn(processor: ChatProcessor, deps: ProcessorDeps, options: { partition?: number; logger?: Logger } = {}) {
  const partition = options.partition ?? 0;
  const logger = options.logger ?? createLogger('test', 'silent');
  let offset = 0;
  return async (message: ChatMessage): Promise<ProcessorResult> => {
    try {
      const result = await processor.process(message, {
        logger, source: { topic: 'chat.inbound', partition, offset: String(offset++) }, clock: deps.clock, stageLatenciesMs: {},
      });
      await deps.store.flush(partition);
      return result;
    } catch (error) {
      deps.store.rollback(partition);
      throw error;
    }
  };
}
