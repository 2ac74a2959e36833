// With Redis down the saver raises DependencyUnavailableError (never "no state",
// which would silently start the conversation over), fails fast instead of
// queueing, and works again once Redis is back. The Redis is a private server,
// so stopping it disturbs no other test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import type { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { DependencyUnavailableError, isDependencyFailure } from '../../src/pipeline/errors.js';
import { RedisCheckpointSaver } from '../../src/state/redis-checkpointer.js';
import { connectRedis } from '../../src/state/redis.js';
import { PrivateRedis, testConfig } from '../support/redis.js';

const meta = { source: 'loop' as const, step: 0, parents: {} };
const thread = { configurable: { thread_id: 'conv-outage' } };

async function putOne(saver: RedisCheckpointSaver) {
  return saver.put(thread, { ...emptyCheckpoint(), id: uuid6(-1) }, meta, {});
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, it resolved');
}

describe('RedisCheckpointSaver while Redis is down', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let saver: RedisCheckpointSaver;

  beforeAll(async () => {
    server = await PrivateRedis.start();
    const config = testConfig({ REDIS_URL: server.url, X7_RETRY_INITIAL_MS: '50', X7_RETRY_MAX_MS: '200' });
    redis = await connectRedis(config, { logger: createLogger('test', 'silent') });
    saver = new RedisCheckpointSaver(redis, { ttlSeconds: 600 });
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('raises on every call while down and works again after a restart', async () => {
    const stored = await putOne(saver);
    expect((await saver.getTuple(thread))?.config).toEqual(stored);

    await server.stop();

    const started = Date.now();
    const calls: Array<[string, Promise<unknown>]> = [
      ['getTuple', saver.getTuple(thread)],
      ['getTuple by id', saver.getTuple(stored)],
      ['put', putOne(saver)],
      ['putWrites', saver.putWrites(stored, [['turns', 1]], 'task-1')],
      ['list', (async () => { for await (const _ of saver.list(thread)) void _; })()],
      ['deleteThread', saver.deleteThread('conv-outage')],
    ];
    for (const [name, call] of calls) {
      const error = await rejection(call);
      expect(error, name).toBeInstanceOf(DependencyUnavailableError);
      expect((error as DependencyUnavailableError).dependency, name).toBe('redis');
      expect(isDependencyFailure(error), name).toBe(true);
    }
    // Fail fast: nothing waits for Redis to come back.
    expect(Date.now() - started).toBeLessThan(3_000);

    // Still down a while later (the client is between reconnect attempts): still raises.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rejection(saver.getTuple(thread))).toBeInstanceOf(DependencyUnavailableError);

    await server.start();

    // The client reconnects by itself; the caller only retries, as the runtime does.
    const deadline = Date.now() + 10_000;
    let reconnected = false;
    while (!reconnected) {
      try {
        await saver.getTuple(thread);
        reconnected = true;
      } catch (error) {
        expect(error).toBeInstanceOf(DependencyUnavailableError);
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    // This server keeps nothing on disk, so the thread starts empty; what matters
    // is that reads and writes work again.
    const again = await putOne(saver);
    await saver.putWrites(again, [['turns', 1]], 'task-1');
    const tuple = await saver.getTuple(thread);
    expect(tuple?.config).toEqual(again);
    expect(tuple?.pendingWrites).toEqual([['task-1', 'turns', 1]]);
  });

  it('raises when Redis hangs instead of waiting forever', async () => {
    await putOne(saver);
    server.freeze();
    try {
      const started = Date.now();
      const error = await rejection(saver.getTuple(thread));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      // The command timeout (5 s) bounds the wait.
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      server.thaw();
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        expect(await saver.getTuple(thread)).toBeDefined();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
});
