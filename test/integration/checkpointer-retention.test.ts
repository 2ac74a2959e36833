// Retention and deletion: every key the saver writes carries the configured TTL,
// a write renews it for all of the thread's keys, idle threads expire whole, and
// deleteThread leaves nothing of the thread behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyCheckpoint, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import type { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { RedisCheckpointSaver } from '../../src/state/redis-checkpointer.js';
import { connectRedis } from '../../src/state/redis.js';
import { deleteByPrefix, keysByPrefix, testConfig, uniqueKeyPrefix } from '../support/redis.js';

const meta = { source: 'loop' as const, step: 0, parents: {} };

function checkpoint(values: Record<string, unknown>): Checkpoint {
  return {
    ...emptyCheckpoint(),
    id: uuid6(-1),
    channel_values: values,
    channel_versions: Object.fromEntries(Object.keys(values).map((k) => [k, 1])),
  };
}

/** Two checkpoints, a write and a child-namespace checkpoint for one thread. */
async function fillThread(saver: RedisCheckpointSaver, threadId: string): Promise<void> {
  const first = await saver.put({ configurable: { thread_id: threadId } }, checkpoint({ turns: 1 }), meta, { turns: 1 });
  await saver.putWrites(first, [['turns', 1]], 'task-1');
  await saver.put(first, checkpoint({ turns: 2 }), { ...meta, step: 1 }, { turns: 1 });
  await saver.put({ configurable: { thread_id: threadId, checkpoint_ns: 'sub:1' } }, checkpoint({ x: 1 }), meta, { x: 1 });
}

async function listAll(saver: RedisCheckpointSaver, threadId?: string) {
  const out = [];
  for await (const tuple of saver.list({ configurable: threadId === undefined ? {} : { thread_id: threadId } })) out.push(tuple);
  return out;
}

describe('RedisCheckpointSaver retention and deletion', () => {
  let redis: Redis;
  const keyPrefix = uniqueKeyPrefix('retention');

  beforeAll(async () => {
    redis = await connectRedis(testConfig(), { logger: createLogger('test', 'silent') });
  });

  afterAll(async () => {
    await deleteByPrefix(redis, keyPrefix);
    await redis.quit();
  });

  it('sets the TTL on every key and renews it for the whole thread on each write', async () => {
    const saver = new RedisCheckpointSaver(redis, { ttlSeconds: 3600, keyPrefix: `${keyPrefix}ttl:` });
    await fillThread(saver, 'conv-a');
    const keys = await keysByPrefix(redis, saver.keyPrefix);
    expect(keys).toEqual([saver.indexKey('conv-a'), saver.dataKey('conv-a'), saver.threadsKey()].sort());
    for (const key of keys) {
      const ttl = await redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(3590);
      expect(ttl, key).toBeLessThanOrEqual(3600);
    }

    // Time passes; a write to the thread must renew every key of it, including
    // the data hash holding old channel values the latest checkpoint still uses.
    for (const key of keys) await redis.expire(key, 100);
    const latest = await saver.getTuple({ configurable: { thread_id: 'conv-a' } });
    await saver.putWrites(latest!.config, [['turns', 5]], 'task-9');
    for (const key of keys) expect(await redis.ttl(key), key).toBeGreaterThan(3590);
  });

  it('lets an idle thread expire whole', async () => {
    const saver = new RedisCheckpointSaver(redis, { ttlSeconds: 1, keyPrefix: `${keyPrefix}expire:` });
    await fillThread(saver, 'conv-idle');
    expect(await saver.getTuple({ configurable: { thread_id: 'conv-idle' } })).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await saver.getTuple({ configurable: { thread_id: 'conv-idle' } })).toBeUndefined();
    expect(await listAll(saver)).toEqual([]);
    expect(await keysByPrefix(redis, saver.keyPrefix)).toEqual([]);
  });

  it('deleteThread removes every checkpoint, write and blob of the thread and nothing else', async () => {
    const saver = new RedisCheckpointSaver(redis, { ttlSeconds: 3600, keyPrefix: `${keyPrefix}delete:` });
    await fillThread(saver, 'conv-gone');
    await fillThread(saver, 'conv-kept');
    expect(await listAll(saver, 'conv-gone')).toHaveLength(3);

    await saver.deleteThread('conv-gone');

    const keys = await keysByPrefix(redis, saver.keyPrefix);
    expect(keys.filter((k) => k.includes('conv-gone'))).toEqual([]);
    expect(await redis.zscore(saver.threadsKey(), 'conv-gone')).toBeNull();
    expect(await saver.getTuple({ configurable: { thread_id: 'conv-gone' } })).toBeUndefined();
    expect(await saver.getTuple({ configurable: { thread_id: 'conv-gone', checkpoint_ns: 'sub:1' } })).toBeUndefined();
    expect(await listAll(saver, 'conv-gone')).toEqual([]);

    const kept = await listAll(saver);
    expect(kept).toHaveLength(3);
    expect(new Set(kept.map((t) => t.config.configurable?.thread_id))).toEqual(new Set(['conv-kept']));
    const latest = await saver.getTuple({ configurable: { thread_id: 'conv-kept' } });
    expect(latest?.checkpoint.channel_values).toEqual({ turns: 2 });
    expect(latest?.parentConfig?.configurable?.checkpoint_id).toBeDefined();
  });
});
