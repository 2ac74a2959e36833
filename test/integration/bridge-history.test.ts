// The bridge's per-conversation history on the real Redis: idempotent appends
// from several writers, trimming with a floor that makes gaps visible, expiry.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationHistory } from '../../src/bridge/history.js';
import { loadConfig } from '../../src/config.js';
import { deleteByPrefix, uniqueKeyPrefix } from '../support/redis.js';

describe('conversation history in Redis', () => {
  let redis: Redis;
  const prefix = uniqueKeyPrefix('bridge-history');

  beforeAll(() => {
    redis = new Redis(loadConfig().redisUrl);
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  const record = (conversationId: string, offset: number, partition = 4) => ({ conversationId, cursor: { partition, offset }, eventJson: JSON.stringify({ n: offset }) });

  it('keeps one entry per offset however often and by whomever it is written', async () => {
    const a = new ConversationHistory(redis, { keyPrefix: prefix, size: 10, ttlMs: 60_000 });
    const b = new ConversationHistory(redis, { keyPrefix: prefix, size: 10, ttlMs: 60_000 });
    await a.append([record('c1', 5), record('c1', 9)]);
    await Promise.all([b.append([record('c1', 5), record('c1', 9), record('c1', 12)]), a.append([record('c1', 12)])]);
    const all = await a.recover('c1', null);
    expect(all).toEqual({ ok: true, entries: [5, 9, 12].map((o) => ({ cursor: { partition: 4, offset: o }, eventJson: `{"n":${o}}` })) });
    expect(await b.recover('c1', { partition: 4, offset: 9 })).toMatchObject({ ok: true, entries: [{ cursor: { offset: 12 } }] });
  });

  it('trims to its size and reports a gap for cursors before what it dropped', async () => {
    const history = new ConversationHistory(redis, { keyPrefix: prefix, size: 3, ttlMs: 60_000 });
    await history.append([10, 20, 30, 40, 50].map((o) => record('c2', o)));
    expect(await history.recover('c2', null)).toMatchObject({ ok: true, entries: [{ cursor: { offset: 30 } }, { cursor: { offset: 40 } }, { cursor: { offset: 50 } }] });
    expect(await history.recover('c2', { partition: 4, offset: 20 })).toMatchObject({ ok: true, entries: [{ cursor: { offset: 30 } }, {}, {}] });
    expect(await history.recover('c2', { partition: 4, offset: 25 })).toMatchObject({ ok: true });
    expect(await history.recover('c2', { partition: 4, offset: 19 })).toMatchObject({ ok: false });
    // A late writer cannot bring a trimmed event back.
    await history.append([record('c2', 20)]);
    expect(await history.recover('c2', null)).toMatchObject({ ok: true, entries: [{ cursor: { offset: 30 } }, {}, {}] });
    // Nothing is kept for a conversation that never had an event: a cursor for it is a gap.
    expect(await history.recover('never', { partition: 4, offset: 1 })).toMatchObject({ ok: false });
    expect(await history.recover('never', null)).toEqual({ ok: true, entries: [] });
  });

  it('vouches for nothing before its first event (a history that expired and started over)', async () => {
    const history = new ConversationHistory(redis, { keyPrefix: prefix, size: 10, ttlMs: 60_000 });
    await history.append([record('c4', 70), record('c4', 80)]);
    // A client that last saw offset 40 may have missed events that expired with an older history.
    expect(await history.recover('c4', { partition: 4, offset: 40 })).toMatchObject({ ok: false });
    expect(await history.recover('c4', { partition: 4, offset: 69 })).toMatchObject({ ok: true, entries: [{ cursor: { offset: 70 } }, { cursor: { offset: 80 } }] });
    // A conversation that moved to another partition starts over the same way.
    await history.append([record('c4', 3, 7)]);
    expect(await history.recover('c4', null)).toMatchObject({ ok: true, entries: [{ cursor: { partition: 7, offset: 3 } }] });
    expect(await history.recover('c4', { partition: 4, offset: 80 })).toMatchObject({ ok: false });
  });

  it('expires with its TTL', async () => {
    const history = new ConversationHistory(redis, { keyPrefix: prefix, size: 3, ttlMs: 1_000 });
    await history.append([record('c3', 1)]);
    const ttl = await redis.pttl(`${prefix}x7:bridge:h:{c3}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);
  });
});
