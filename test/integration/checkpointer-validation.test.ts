// The conformance suite LangGraph publishes for checkpoint savers, run against
// RedisCheckpointSaver on a real Redis. Every saver the suite creates gets a key
// prefix of its own, removed again when the suite destroys it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import type { Redis } from 'ioredis';
import { RedisCheckpointSaver } from '../../src/state/redis-checkpointer.js';
import { connectRedis } from '../../src/state/redis.js';
import { deleteByPrefix, testConfig, uniqueKeyPrefix } from '../support/redis.js';

// The suite is written against Jest-style globals; this project's vitest does not
// enable them, so hand them over before the suite declares its tests.
Object.assign(globalThis, { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach });

const config = testConfig();
let redis: Redis;

const initializer: CheckpointSaverTestInitializer<RedisCheckpointSaver> = {
  checkpointerName: 'x7 RedisCheckpointSaver',
  async beforeAll() {
    redis = await connectRedis(config);
  },
  async afterAll() {
    await redis.quit();
  },
  createCheckpointer() {
    return new RedisCheckpointSaver(redis, { ttlSeconds: 600, keyPrefix: uniqueKeyPrefix('cpv') });
  },
  async destroyCheckpointer(saver) {
    await deleteByPrefix(redis, saver.keyPrefix);
  },
};

validate(initializer);
// Opt-in part of the suite: rebuilding delta channels from stored writes, which
// relies on pendingWrites coming back in writesSortKey order.
deltaChannelHistoryTests(initializer);
