// A Redis crash under `x7 bridge`, as a client meets it. The bridge keeps each
// conversation's history in Redis and gives a client an event only once its entry
// is written (src/bridge/outbound-consumer.ts); scripts/redis.conf makes that write
// durable (append-only file, fsync before the reply). Here Redis is a private
// redis-server started with that same file, killed with SIGKILL and restarted on
// its data folder, under spawned `x7 processor`, `x7 worker` and `x7 bridge`
// processes in a namespace of the test's own:
// - in the middle of a multi-turn booking: the booking goes on, and a client
//   resuming gets every event it was given before the kill, no gap, no duplicate;
// - with the disk lost (Redis back empty): a client resuming from a cursor whose
//   events are gone gets HISTORY_GAP, never a silent gap.
import { Client, Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import { newConversationId, outboundEvent, produceOutbound, startBridge, TestSocket, tokenFor, type BridgeProcess, type Frame } from '../support/bridge.js';
import { startX7, stopProcess } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, sleep } from '../support/pipeline.js';
import { PrivateRedis } from '../support/redis.js';
import { terminateRunningWorkflows } from '../support/workflows.js';

const TABERNA = 'lis-taberna-do-largo'; // restaurant, Tue–Sun 12:00–15:00 and 19:00–23:00, Lisbon
/** The bridge's Redis client reconnects quickly after the restart (the default backoff reaches 10 s). */
const FAST_RETRY = { X7_RETRY_INITIAL_MS: '100', X7_RETRY_MAX_MS: '500' };

let db: TestDatabase;
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ seed: true, label: 'redis_crash' });
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await db?.drop();
});

async function durableRedis(): Promise<PrivateRedis> {
  const redis = await PrivateRedis.start({ durable: true });
  cleanup.push(() => redis.remove());
  return redis;
}

async function bridgeOn(prefix: string, redis: PrivateRedis): Promise<BridgeProcess> {
  const bridge = await startBridge({ prefix, databaseUrl: db.url, env: { REDIS_URL: redis.url, ...FAST_RETRY } });
  cleanup.push(() => bridge.kill());
  return bridge;
}

async function socket(bridge: BridgeProcess, userId: string): Promise<TestSocket> {
  const s = await TestSocket.open(bridge.ws, await tokenFor(userId));
  cleanup.push(() => s.close());
  return s;
}

const isEvent = (conversationId: string, test: (event: Frame) => boolean) => (f: Frame) =>
  f.type === 'event' && f.conversationId === conversationId && test(f.event as Frame);

/**
 * Sends a chat message as a client does: on UNAVAILABLE (Redis is not back yet)
 * it waits and sends it again with the same clientMessageId. Resolves to its eventId.
 */
async function say(client: TestSocket, conversationId: string, clientMessageId: string, text: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    client.send({ type: 'message', clientMessageId, conversationId, chatType: 'DEDICATED', businessId: TABERNA, text });
    const answer = await client.next((f) => (f.type === 'ack' && f.clientMessageId === clientMessageId) || (f.type === 'error' && f.ref === clientMessageId));
    if (answer.type === 'ack') return answer.eventId as string;
    if (answer.code !== 'UNAVAILABLE' || attempt === 20) throw new Error(`"${text}" refused: ${JSON.stringify(answer)}`);
    await sleep(500);
  }
}

const idsOf = (frames: Frame[]) => frames.map((f) => f.event.eventId as string);

describe('x7 bridge over a Redis that crashes', () => {
  it('a booking goes on across a Redis kill -9, and a resuming client gets every event it was given, once', async () => {
    const prefix = uniquePrefix('redis-crash-booking');
    await prepareNamespace(isolatedConfig(prefix));
    const redis = await durableRedis();
    // Its own task queue: the reservation workflows run on this test's worker, over this
    // test's database. Neither the processor nor the worker uses Redis.
    const taskQueue = `${prefix}workflows`;
    const env = isolatedEnv(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: taskQueue });
    const processor = startX7(['processor'], env);
    cleanup.push(() => stopProcess(processor));
    const worker = startX7(['worker'], env);
    cleanup.push(() => stopProcess(worker));
    const temporal = await Connection.connect({ address: isolatedConfig(prefix).temporalAddress });
    cleanup.push(async () => {
      await terminateRunningWorkflows(new Client({ connection: temporal, namespace: isolatedConfig(prefix).temporalNamespace }), taskQueue);
      await temporal.close();
    });
    const bridge = await bridgeOn(prefix, redis);
    const diego = await socket(bridge, 'u-diego');
    const conversationId = newConversationId();
    expect(await diego.subscribe(conversationId)).toMatchObject({ type: 'subscribed' });

    // Turn 1: the booking, then its confirmation by the reservation workflow.
    const turn1 = await say(diego, conversationId, 'turn-1', 'table for 2 next friday at 8pm');
    const booked = await diego.next(isEvent(conversationId, (e) => e.causationId === turn1 && e.body.type === 'Reply'), 90_000);
    expect(booked.event.body).toMatchObject({ agent: 'reservations', text: expect.stringMatching(/^Booked a table for 2 on Friday \d+ \w+ at 20:00\./) });
    const confirmed = await diego.next(isEvent(conversationId, (e) => e.body.type === 'WorkflowUpdate' && e.body.status === 'CONFIRMED'), 90_000);
    const firstWorkflow = confirmed.event.body.workflowId as string;
    await diego.next(isEvent(conversationId, (e) => e.causationId === turn1 && e.body.type === 'StatusUpdate' && e.body.status === 'DONE'), 30_000);
    const given = diego.events(conversationId);

    // Redis dies without a chance to flush anything, and comes back on its data folder.
    await redis.stop();
    await redis.start();

    // Turn 2 changes that booking: reservations answers, not the hand-off agent.
    const turn2 = await say(diego, conversationId, 'turn-2', 'make it 9pm');
    const changed = await diego.next(isEvent(conversationId, (e) => e.causationId === turn2 && e.body.type === 'Reply'), 90_000);
    expect(changed.event.body).toMatchObject({ agent: 'reservations', text: expect.stringMatching(/^Done: your booking is now a table for 2 on Friday \d+ \w+ at 21:00\./) });
    await diego.next(isEvent(conversationId, (e) => e.body.type === 'WorkflowUpdate' && e.body.workflowId === firstWorkflow && e.body.status === 'CANCELLED'), 90_000);
    await diego.next(isEvent(conversationId, (e) => e.body.type === 'WorkflowUpdate' && e.body.workflowId !== firstWorkflow && e.body.status === 'CONFIRMED'), 90_000);
    const { rows } = await db.pool.query<{ hour: string; status: string }>(
      `select to_char(starts_at at time zone 'Europe/Lisbon', 'HH24:MI') as hour, status from bookings where conversation_id = $1 order by starts_at`, [conversationId]);
    expect(rows).toEqual([{ hour: '20:00', status: 'cancelled' }, { hour: '21:00', status: 'confirmed' }]);
    expect(diego.frames.filter((f) => f.type === 'error' && f.code !== 'UNAVAILABLE')).toEqual([]);
    expect(diego.closeInfo).toBeNull();
    const all = diego.events(conversationId);
    expect(idsOf(all.slice(0, given.length))).toEqual(idsOf(given));
    expect(new Set(idsOf(all)).size).toBe(all.length);

    // Another device of the same user resumes from the first cursor it was given: every
    // event after it, in order, once; and one without a cursor gets the whole conversation.
    const resumed = await socket(bridge, 'u-diego');
    expect(await resumed.subscribe(conversationId, given[0]!.cursor)).toMatchObject({ type: 'subscribed', replayed: all.length - 1 });
    expect(idsOf(resumed.events(conversationId))).toEqual(idsOf(all.slice(1)));
    expect(resumed.events(conversationId).map((f) => f.cursor)).toEqual(all.slice(1).map((f) => f.cursor));
    const fresh = await socket(bridge, 'u-diego');
    expect(await fresh.subscribe(conversationId)).toMatchObject({ type: 'subscribed', replayed: all.length });
    expect(idsOf(fresh.events(conversationId))).toEqual(idsOf(all));
  }, 300_000);

  it('answers HISTORY_GAP, not a silent gap, when Redis comes back empty (its disk lost)', async () => {
    const prefix = uniquePrefix('redis-crash-empty');
    const config = isolatedConfig(prefix);
    await prepareNamespace(config);
    const codec = createCodec(config);
    const redis = await durableRedis();
    const bridge = await bridgeOn(prefix, redis);
    const diego = await socket(bridge, 'u-diego');
    const conversationId = newConversationId();
    await diego.subscribe(conversationId);
    await produceOutbound(config, codec, [1, 2, 3].map((n) => outboundEvent(conversationId, 'u-diego', n)));
    const before = await diego.waitForEvents(conversationId, 3);

    await redis.stop();
    redis.wipe();
    await redis.start();
    await produceOutbound(config, codec, [outboundEvent(conversationId, 'u-diego', 4)]);
    const after = await diego.waitForEvents(conversationId, 4, 60_000);
    expect(after.map((f) => f.event.body.text)).toEqual(['reply 1', 'reply 2', 'reply 3', 'reply 4']);

    // Replies 2 and 3 followed this cursor and are gone with the disk: said, not skipped.
    const resumed = await socket(bridge, 'u-diego');
    expect(await resumed.subscribe(conversationId, before[0]!.cursor)).toMatchObject({ type: 'error', code: 'HISTORY_GAP', ref: conversationId });
    expect(resumed.events(conversationId)).toEqual([]);
    // From the last cursor given before the loss nothing is missing: reply 4, once.
    expect(await resumed.subscribe(conversationId, before[2]!.cursor)).toMatchObject({ type: 'subscribed', replayed: 1 });
    expect(resumed.events(conversationId).map((f) => f.event.body.text)).toEqual(['reply 4']);
  }, 120_000);
});
