// `x7 bridge` as clients meet it: real WebSocket clients against spawned bridges,
// each test in a topic namespace of its own, one seeded database for the file.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/events.js';
import {
  bridgeNamespace,
  newConversationId,
  outboundEvent,
  produceOutbound,
  startBridge,
  TEST_JWT_SECRET,
  TestSocket,
  tokenFor,
  type BridgeNamespace,
  type BridgeProcess,
} from '../support/bridge.js';
import { runX7, startX7, stopProcess } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedEnv } from '../support/isolation.js';
import { TopicReader } from '../support/pipeline.js';
import { PrivateRedis } from '../support/redis.js';

let db: TestDatabase;
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ seed: true, label: 'bridge' });
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await db?.drop();
});

async function bridge(ns: BridgeNamespace, options: { env?: Record<string, string>; port?: number; instanceId?: string } = {}): Promise<BridgeProcess> {
  const started = await startBridge({ prefix: ns.prefix, databaseUrl: db.url, ...options });
  cleanup.push(() => started.kill());
  return started;
}

async function socket(b: BridgeProcess, userId: string): Promise<TestSocket> {
  const s = await TestSocket.open(b.ws, await tokenFor(userId));
  cleanup.push(() => s.close());
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('x7 bridge', () => {
  it('will not start without a way to verify tokens, and says why', async () => {
    const result = await runX7(['bridge'], { X7_JWT_SECRET: '', X7_JWKS_URL: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('X7_JWT_SECRET');
    const short = await runX7(['bridge'], { X7_JWT_SECRET: 'too-short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 32 bytes');
    expect(short.stderr).not.toContain('too-short');
    expect((await runX7(['bridge', '--help'])).stdout).toContain('/v1/stream');
  });

  it('refuses a token older than X7_JWT_MAX_AGE_SECONDS, and refuses to start with dev tokens off loopback', async () => {
    const ns = await bridgeNamespace('bridge-maxage');
    const b = await bridge(ns, { env: { X7_JWT_MAX_AGE_SECONDS: '600' } });
    const now = Math.floor(Date.now() / 1000);
    const old = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u-diego').setIssuedAt(now - 3600).setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    await expect(TestSocket.open(b.ws, old)).rejects.toMatchObject({ status: 401 });
    const fresh = await socket(b, 'u-diego');
    fresh.send({ type: 'ping' });
    expect(await fresh.nextOfType('pong')).toEqual({ type: 'pong' });

    const open = await runX7(['bridge'], { X7_JWT_SECRET: TEST_JWT_SECRET, X7_DEV_TOKENS: '1', X7_BRIDGE_HOST: '0.0.0.0' });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('X7_DEV_TOKENS=1 needs the bridge on loopback');
  });

  it('refuses connections without a valid token, and from foreign origins', async () => {
    const ns = await bridgeNamespace('bridge-auth');
    const b = await bridge(ns);
    await expect(TestSocket.open(b.ws, null)).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(b.ws, 'not-a-jwt')).rejects.toMatchObject({ status: 401 });
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u-diego').setExpirationTime('5m')
      .sign(new TextEncoder().encode('some-other-secret-some-other-secret-1234'));
    await expect(TestSocket.open(b.ws, forged)).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(b.ws, await tokenFor('u-diego', -60))).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(b.ws, await tokenFor('u-diego'), { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    // The Authorization header works as well as access_token, and the bridge's own origin is welcome.
    const viaHeader = await TestSocket.open(b.ws, null, { headers: { authorization: `Bearer ${await tokenFor('u-diego')}` }, origin: b.http });
    cleanup.push(() => viaHeader.close());
    viaHeader.send({ type: 'ping' });
    expect(await viaHeader.nextOfType('pong')).toEqual({ type: 'pong' });
    // The page's API wants a token too.
    expect((await fetch(`${b.http}/api/businesses`)).status).toBe(401);
    // Dev tokens are off unless asked for.
    expect((await fetch(`${b.http}/dev/token`, { method: 'POST', body: '{"userId":"u-diego"}' })).status).toBe(404);
    expect((await fetch(`${b.http}/healthz`)).status).toBe(200);
  });

  it('refuses other users\' conversations with FORBIDDEN and the socket keeps working', async () => {
    const ns = await bridgeNamespace('bridge-forbidden');
    const b = await bridge(ns);
    const eva = await socket(b, 'u-eva');
    // Seeded: c-demo-diego-taberna is Diego's; c-demo-ana-dashboard is the dashboard of Taberna do Largo.
    expect(await eva.subscribe('c-demo-diego-taberna')).toMatchObject({ type: 'error', code: 'FORBIDDEN', ref: 'c-demo-diego-taberna' });
    expect(await eva.subscribe('c-demo-ana-dashboard')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await eva.subscribe('c-demo-eva-global')).toMatchObject({ type: 'subscribed', conversationId: 'c-demo-eva-global' });
    // A staff member of the business may follow its dashboard conversation.
    const carla = await socket(b, 'u-carla');
    expect(await carla.subscribe('c-demo-ana-dashboard')).toMatchObject({ type: 'subscribed' });
    // A fresh id becomes the first subscriber's; nobody else gets it afterwards.
    const fresh = newConversationId();
    expect(await eva.subscribe(fresh)).toMatchObject({ type: 'subscribed' });
    expect(await carla.subscribe(fresh)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(carla.frames.filter((f) => f.type === 'error')).toHaveLength(1);
    // Writing into someone else's conversation is refused the same way.
    carla.send({ type: 'message', clientMessageId: 'm-x', conversationId: fresh, chatType: 'GLOBAL', text: 'hello?' });
    expect(await carla.next((f) => f.ref === 'm-x')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    // Bad frames are errors too, never a disconnect.
    eva.send('{"type":"subscribe","conversationId":"c-1","userId":"u-diego"}');
    expect(await eva.nextOfType('error')).toMatchObject({ code: 'BAD_FRAME', field: 'userId' });
    eva.send({ type: 'ping' });
    expect(await eva.nextOfType('pong')).toEqual({ type: 'pong' });
  });

  it('produces a client message to chat.inbound and acks it with its eventId', async () => {
    const ns = await bridgeNamespace('bridge-inbound');
    const b = await bridge(ns);
    const inbound = await TopicReader.open(ns.config, 'chat.inbound');
    cleanup.push(() => inbound.close());
    const diego = await socket(b, 'u-diego');
    const conversationId = newConversationId();
    const frame = { type: 'message', clientMessageId: 'm-1', conversationId, chatType: 'DEDICATED', businessId: 'lis-taberna-do-largo', text: 'table for 4 tomorrow at 8pm', locale: 'pt-PT' };
    const before = Date.now();
    diego.send(frame);
    const ack = await diego.nextOfType('ack');
    expect(ack).toMatchObject({ clientMessageId: 'm-1', eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const [record] = await inbound.waitFor(1, { settleMs: 0 });
    expect(record!.key!.toString()).toBe(conversationId);
    const message = (await ns.codec.decode('chat.inbound', record!.value)).value as ChatMessage;
    expect(message).toMatchObject({
      eventId: ack.eventId, conversationId, chatType: 'DEDICATED', userId: 'u-diego', businessId: 'lis-taberna-do-largo',
      text: 'table for 4 tomorrow at 8pm', channel: 'WEB', locale: 'pt-PT', location: null, clientMessageId: 'm-1', senderRole: 'USER',
    });
    expect(message.sentAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // The conversation is now Diego's, recorded in the database.
    const { rows } = await db.pool.query('select user_id, chat_type, business_id from conversations where id = $1', [conversationId]);
    expect(rows).toEqual([{ user_id: 'u-diego', chat_type: 'DEDICATED', business_id: 'lis-taberna-do-largo' }]);

    // A retry of the same message (lost ack) gets the same eventId; another text under that id is refused.
    diego.send(frame);
    expect(await diego.nextOfType('ack')).toEqual(ack);
    diego.send({ ...frame, text: 'something else' });
    expect(await diego.next((f) => f.type === 'error' && f.ref === 'm-1')).toMatchObject({ code: 'BAD_FRAME', field: 'clientMessageId' });

    // Invalid messages: an error naming the field, nothing produced.
    diego.send({ type: 'message', clientMessageId: 'm-2', conversationId, chatType: 'DEDICATED', text: 'no business' });
    expect(await diego.next((f) => f.ref === 'm-2')).toMatchObject({ type: 'error', code: 'INVALID_EVENT', field: 'businessId' });
    diego.send({ type: 'message', clientMessageId: 'm-3', conversationId: newConversationId(), chatType: 'DEDICATED', businessId: 'no-such-place', text: 'hi' });
    expect(await diego.next((f) => f.ref === 'm-3')).toMatchObject({ type: 'error', code: 'INVALID_EVENT', field: 'businessId' });
    diego.send({ type: 'message', clientMessageId: 'm-4', conversationId, chatType: 'DEDICATED', businessId: 'lis-taberna-do-largo', text: '   ' });
    expect(await diego.next((f) => f.ref === 'm-4')).toMatchObject({ type: 'error', code: 'INVALID_EVENT', field: 'text' });
    diego.send({ type: 'message', clientMessageId: 'm-5', conversationId, chatType: 'GLOBAL', text: 'switching chat type' });
    expect(await diego.next((f) => f.ref === 'm-5')).toMatchObject({ type: 'error', code: 'INVALID_EVENT', field: 'chatType' });
    diego.send({ type: 'message', clientMessageId: 'm-6', conversationId: newConversationId(), chatType: 'DASHBOARD', businessId: 'lis-taberna-do-largo', text: 'pause bookings' });
    expect(await diego.next((f) => f.ref === 'm-6')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    await sleep(1000);
    expect(inbound.records).toHaveLength(2); // the message and its retry, both with the same eventId
  });

  it('delivers a conversation\'s outbound events to its subscriber, in order', async () => {
    const ns = await bridgeNamespace('bridge-order');
    const b = await bridge(ns);
    const diego = await socket(b, 'u-diego');
    const conversationId = newConversationId();
    const other = newConversationId();
    expect(await diego.subscribe(conversationId)).toMatchObject({ type: 'subscribed', replayed: 0, cursor: null });
    const events = Array.from({ length: 8 }, (_, i) => outboundEvent(conversationId, 'u-diego', i + 1));
    await produceOutbound(ns.config, ns.codec, [...events.slice(0, 4), outboundEvent(other, 'u-eva', 99), ...events.slice(4)]);
    const received = await diego.waitForEvents(conversationId, 8);
    expect(received.map((f) => f.event.eventId)).toEqual(events.map((e) => e.eventId));
    expect(received.map((f) => f.event.body.text)).toEqual(events.map((_, i) => `reply ${i + 1}`));
    expect(received[0]!.event).toMatchObject({ conversationId, userId: 'u-diego', body: { type: 'Reply', cards: [], suggestions: [] } });
    const offsets = received.map((f) => Number(String(f.cursor).split('-')[1]));
    expect(offsets).toEqual([...offsets].sort((a, b2) => a - b2));
    expect(new Set(received.map((f) => String(f.cursor).split('-')[0])).size).toBe(1);
    // Nothing of another conversation, nothing twice.
    await sleep(1000);
    expect(diego.frames.filter((f) => f.type === 'event')).toHaveLength(8);
    // Unsubscribed: no more events.
    diego.send({ type: 'unsubscribe', conversationId });
    await diego.nextOfType('unsubscribed');
    await produceOutbound(ns.config, ns.codec, [outboundEvent(conversationId, 'u-diego', 9)]);
    await sleep(1500);
    expect(diego.events(conversationId)).toHaveLength(8);
  });

  it('ends a live dashboard subscription within seconds of the member losing access, with FORBIDDEN', async () => {
    const ns = await bridgeNamespace('bridge-revoke');
    const b = await bridge(ns);
    const business = 'lis-cafe-garrett';
    const userId = `u-temp-${randomUUID().slice(0, 6)}`;
    const conversationId = newConversationId();
    await db.pool.query(`insert into users (id, display_name) values ($1, 'Temp staff') on conflict do nothing`, [userId]);
    await db.pool.query(`insert into members (business_id, user_id, role) values ($1, $2, 'staff')`, [business, userId]);
    await db.pool.query(`insert into conversations (id, chat_type, user_id, business_id) values ($1, 'DASHBOARD', 'u-ana', $2)`, [conversationId, business]);
    const staff = await socket(b, userId);
    expect(await staff.subscribe(conversationId)).toMatchObject({ type: 'subscribed' });
    await produceOutbound(ns.config, ns.codec, [{ ...outboundEvent(conversationId, 'u-ana', 1), chatType: 'DASHBOARD', businessId: business }]);
    expect(await staff.waitForEvents(conversationId, 1)).toHaveLength(1);

    await db.pool.query('delete from members where business_id = $1 and user_id = $2', [business, userId]);
    expect(await staff.nextOfType('error')).toMatchObject({ code: 'FORBIDDEN', ref: conversationId, message: expect.stringContaining('access lost') });
    await produceOutbound(ns.config, ns.codec, [{ ...outboundEvent(conversationId, 'u-ana', 2), chatType: 'DASHBOARD', businessId: business }]);
    await sleep(1500);
    expect(staff.events(conversationId)).toHaveLength(1);
  });

  it('serves a conversation from any instance: sent via A, processed, delivered on B', async () => {
    const ns = await bridgeNamespace('bridge-scale');
    const [a, b] = await Promise.all([bridge(ns), bridge(ns)]);
    const processor = startX7(['processor'], isolatedEnv(ns.prefix, { DATABASE_URL: db.url }));
    cleanup.push(() => stopProcess(processor));
    const onA = await socket(a, 'u-diego');
    const onB = await socket(b, 'u-diego');
    const conversationId = newConversationId();
    expect(await onB.subscribe(conversationId)).toMatchObject({ type: 'subscribed' });
    onA.send({ type: 'message', clientMessageId: 'm-1', conversationId, chatType: 'DEDICATED', businessId: 'lis-taberna-do-largo', text: 'do you have a table for two tonight?' });
    const ack = await onA.nextOfType('ack', 30_000);
    const [event] = await onB.waitForEvents(conversationId, 1, 45_000);
    expect(event!.event).toMatchObject({ conversationId, causationId: ack.eventId, userId: 'u-diego' });
    // Both instances wrote the same history entry once: a third client resuming sees it once.
    const late = await socket(a, 'u-diego');
    const subscribed = await late.subscribe(conversationId);
    expect(subscribed).toMatchObject({ type: 'subscribed' });
    expect(late.events(conversationId).map((f) => f.cursor)).toEqual(onB.events(conversationId).map((f) => f.cursor));
  }, 120_000);

  // The same instance coming back resumes its consumer group; a new instance (a
  // pod with a new name) starts after the history watermark. Both must catch up
  // with what was produced while no bridge ran.
  it.each([
    ['the same instance id', 'resume', 'resume'],
    ['a new instance id', 'resume-old', 'resume-new'],
  ])('resumes after the bridge was killed and restarted with %s: exactly the missed events, no duplicates', async (_label, firstId, secondId) => {
    const ns = await bridgeNamespace('bridge-resume');
    const first = await bridge(ns, { instanceId: firstId });
    const conversationId = newConversationId();
    const client = await socket(first, 'u-diego');
    await client.subscribe(conversationId);
    const events = Array.from({ length: 9 }, (_, i) => outboundEvent(conversationId, 'u-diego', i + 1));
    await produceOutbound(ns.config, ns.codec, events.slice(0, 3));
    const seen = await client.waitForEvents(conversationId, 3);
    const lastCursor = seen[2]!.cursor as string;

    await first.kill(); // SIGKILL: no goodbye, offsets possibly not committed
    expect((await client.closed()).code).toBe(1006);
    await produceOutbound(ns.config, ns.codec, events.slice(3, 6)); // while no bridge runs

    const second = await bridge(ns, { instanceId: secondId });
    const resumed = await socket(second, 'u-diego');
    expect(await resumed.subscribe(conversationId, lastCursor)).toMatchObject({ type: 'subscribed' });
    await produceOutbound(ns.config, ns.codec, events.slice(6)); // live again
    await resumed.waitForEvents(conversationId, 6, 45_000);
    await sleep(1500);
    expect(resumed.events(conversationId).map((f) => f.event.eventId)).toEqual(events.slice(3).map((e) => e.eventId));
    // A client that was not there at all gets the whole conversation from the history, once.
    const newcomer = await socket(second, 'u-diego');
    expect(await newcomer.subscribe(conversationId)).toMatchObject({ type: 'subscribed', replayed: 9 });
    expect(newcomer.events(conversationId).map((f) => f.event.eventId)).toEqual(events.map((e) => e.eventId));
  }, 120_000);

  it('answers HISTORY_GAP when the cursor is older than the kept history', async () => {
    const ns = await bridgeNamespace('bridge-gap');
    const b = await bridge(ns, { env: { X7_HISTORY_SIZE: '3' } });
    const conversationId = newConversationId();
    const live = await socket(b, 'u-diego');
    await live.subscribe(conversationId);
    const events = Array.from({ length: 6 }, (_, i) => outboundEvent(conversationId, 'u-diego', i + 1));
    await produceOutbound(ns.config, ns.codec, events);
    const cursors = (await live.waitForEvents(conversationId, 6)).map((f) => f.cursor as string);

    const late = await socket(b, 'u-diego');
    // The history keeps events 4–6: resuming after 3 is exact, after 2 would skip 3.
    expect(await late.subscribe(conversationId, cursors[1])).toMatchObject({ type: 'error', code: 'HISTORY_GAP', ref: conversationId });
    expect(await late.subscribe(conversationId, cursors[2])).toMatchObject({ type: 'subscribed', replayed: 3, cursor: cursors[5] });
    expect(late.events(conversationId).map((f) => f.cursor)).toEqual(cursors.slice(3));
    // Without since: whatever is kept, then live.
    const fresh = await socket(b, 'u-diego');
    expect(await fresh.subscribe(conversationId)).toMatchObject({ type: 'subscribed', replayed: 3 });
    // A cursor on another partition cannot be resumed either.
    const [p, o] = cursors[5]!.split('-');
    expect(await fresh.subscribe(conversationId, `${(Number(p) + 1) % 12}-${o}`)).toMatchObject({ type: 'error', code: 'HISTORY_GAP' });
  });

  it('rate-limits a connection with RATE_LIMITED and keeps it open', async () => {
    const ns = await bridgeNamespace('bridge-rate');
    const b = await bridge(ns, { env: { X7_RATE_LIMIT_BURST: '5', X7_RATE_LIMIT_PER_SEC: '1' } });
    const client = await socket(b, 'u-diego');
    for (let i = 0; i < 12; i++) client.send({ type: 'ping' });
    const limited = await client.next((f) => f.type === 'error');
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    await sleep(500);
    expect(client.frames.filter((f) => f.type === 'pong')).toHaveLength(5);
    expect(client.frames.filter((f) => f.code === 'RATE_LIMITED')).toHaveLength(7);
    await sleep(1200); // a token refilled
    client.send({ type: 'ping' });
    await client.nextOfType('pong');
    expect(client.closeInfo).toBeNull();
  });

  it('refuses oversized frames: FRAME_TOO_LARGE, and 1009 beyond the hard cap', async () => {
    const ns = await bridgeNamespace('bridge-size');
    const b = await bridge(ns, { env: { X7_MAX_FRAME_BYTES: '1024' } });
    const client = await socket(b, 'u-diego');
    client.send({ type: 'message', clientMessageId: 'big', conversationId: 'c', chatType: 'GLOBAL', text: 'x'.repeat(2000) });
    expect(await client.nextOfType('error')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    client.send({ type: 'ping' });
    await client.nextOfType('pong');
    client.send('x'.repeat(10_000));
    expect((await client.closed()).code).toBe(1009);
  });

  it('waits out a Redis outage: UNAVAILABLE meanwhile, then delivers what was held back', async () => {
    const ns = await bridgeNamespace('bridge-redis-down');
    const redis = await PrivateRedis.start();
    cleanup.push(() => redis.stop());
    const b = await bridge(ns, { env: { REDIS_URL: redis.url, X7_RETRY_INITIAL_MS: '100', X7_RETRY_MAX_MS: '500' } });
    const client = await socket(b, 'u-diego');
    const conversationId = newConversationId();
    await client.subscribe(conversationId);

    await redis.stop();
    expect(await client.subscribe(newConversationId())).toMatchObject({ type: 'error', code: 'UNAVAILABLE' });
    await produceOutbound(ns.config, ns.codec, [outboundEvent(conversationId, 'u-diego', 1)]);
    await sleep(2000);
    // Not delivered without its history entry (a resume could not find it), and not ready.
    expect(client.events(conversationId)).toHaveLength(0);
    expect((await fetch(`${b.http}/readyz`)).status).toBe(503);

    await redis.start();
    const [event] = await client.waitForEvents(conversationId, 1, 30_000);
    expect(event!.event.body.text).toBe('reply 1');
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++, await sleep(200)) ready = (await fetch(`${b.http}/readyz`)).status;
    expect(ready).toBe(200);
    expect(client.closeInfo).toBeNull();
  }, 120_000);

  it('closes connections that stop answering pings', async () => {
    const ns = await bridgeNamespace('bridge-heartbeat');
    const b = await bridge(ns, { env: { X7_HEARTBEAT_MS: '300' } });
    const token = await tokenFor('u-diego');
    const silent = await TestSocket.open(b.ws, token, { autoPong: false });
    const healthy = await TestSocket.open(b.ws, token);
    cleanup.push(() => silent.close(), () => healthy.close());
    expect((await silent.closed(5_000)).code).toBe(1006);
    await sleep(1000);
    expect(healthy.closeInfo).toBeNull();
  });

  it('closes every connection with 1001 on SIGTERM and exits 0', async () => {
    const ns = await bridgeNamespace('bridge-sigterm');
    const b = await startBridge({ prefix: ns.prefix, databaseUrl: db.url });
    const client = await socket(b, 'u-diego');
    await client.subscribe(newConversationId());
    const code = await b.stop();
    expect(code, b.output()).toBe(0);
    expect((await client.closed()).code).toBe(1001);
  });

  it('drops a slow consumer (4008) instead of buffering without bound', async () => {
    const ns = await bridgeNamespace('bridge-slow');
    const b = await bridge(ns, { env: { X7_MAX_BUFFERED_BYTES: '65536', X7_HISTORY_SIZE: '5' } });
    const client = await socket(b, 'u-diego');
    const conversationId = newConversationId();
    await client.subscribe(conversationId);
    // Stop reading: the bridge's writes back up in its socket once the kernel buffers fill.
    (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'y'.repeat(256 * 1024);
    const events = Array.from({ length: 60 }, (_, i) => outboundEvent(conversationId, 'u-diego', i, { type: 'Reply', text: big, agent: 'test', cards: [], suggestions: [] }));
    await produceOutbound(ns.config, ns.codec, events);
    const deadline = Date.now() + 30_000;
    let dropped = 0;
    while (Date.now() < deadline) {
      const metrics = await (await fetch(`${b.metricsHttp}/metrics`)).text();
      dropped = Number(/x7_bridge_slow_consumers_dropped_total (\d+)/.exec(metrics)?.[1] ?? 0);
      if (dropped > 0) break;
      await sleep(200);
    }
    expect(dropped).toBe(1);
    (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect([4008, 1006]).toContain((await client.closed()).code);
    expect((await fetch(`${b.http}/readyz`)).status).toBe(200);
  }, 120_000);
});
