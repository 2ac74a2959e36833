// A reservation's reminder, as the customer and the business see it: the reservation
// workflow on the Temporal dev server (task queue of the test's own, in-process worker)
// publishes REMINDER_SENT to the customer's conversation on chat.outbound, a bridge
// (in-process, the test's own topics and Redis keys) delivers it to the customer's
// WebSocket like any other event, and the DASHBOARD's booking card says it was sent.
//
// The reminder is made due within seconds the way production allows: a lead of one
// minute (X7_REMINDER_LEAD_MINUTES, which the manager puts in the workflow's input)
// and a table 62 s ahead.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardProcessor } from '../../processors/dashboard/index.js';
import { createBridge, type Bridge } from '../../src/bridge/server.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { OutboundEvent, Reply, WorkflowUpdate } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { TEST_JWT_SECRET, TestSocket, tokenFor } from '../support/bridge.js';
import { chatDeps, processInTurn } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { chatMessage, prepareNamespace, TopicReader } from '../support/pipeline.js';
import { deleteByPrefix } from '../support/redis.js';
import { startTemporalHarness, type TemporalHarness } from '../support/temporal-harness.js';
import { insertBooking } from '../support/workflows.js';

const TABERNA = 'lis-taberna-do-largo'; // u-ana is its owner
const LISBON = 'Europe/Lisbon';

/** The day (YYYY-MM-DD) and the time (HH:MM) of an instant on Lisbon's clock. */
function lisbon(instant: Date): { day: string; time: string } {
  return {
    day: new Intl.DateTimeFormat('en-CA', { timeZone: LISBON, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant),
    time: new Intl.DateTimeFormat('en-GB', { timeZone: LISBON, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant),
  };
}

describe('a reservation reminder reaches the customer and the dashboard', () => {
  let prefix: string;
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let temporal: TemporalHarness;
  let outbound: TopicReader;
  let bridge: Bridge;
  let stream: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    prefix = uniquePrefix('reminders');
    db = await createTestDatabase({ seed: true, label: 'reminders' });
    config = isolatedConfig(prefix, {
      DATABASE_URL: db.url,
      X7_TASK_QUEUE: `${prefix}workflows`,
      X7_REMINDER_LEAD_MINUTES: '1',
      X7_JWT_SECRET: TEST_JWT_SECRET,
      X7_BRIDGE_PORT: '0',
      X7_BRIDGE_METRICS_PORT: '0',
      X7_LOG_LEVEL: 'silent',
    });
    await prepareNamespace(config);
    codec = createCodec(config);
    temporal = await startTemporalHarness(config);
    outbound = await TopicReader.open(config, 'chat.outbound');
    bridge = createBridge(config, createLogger('test-bridge', 'silent'), (error) => {
      throw error;
    });
    const { port } = await bridge.start();
    stream = `ws://127.0.0.1:${port}/v1/stream`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await bridge?.stop();
    await temporal?.stop();
    await outbound?.close();
    await db?.drop();
    // The bridge keeps its history and claims under the test's prefix.
    const redis = new Redis(config.redisUrl);
    await deleteByPrefix(redis, prefix).finally(() => redis.disconnect());
  });

  it('REMINDER_SENT with the words a person reads, on chat.outbound and the WebSocket; the booking card says it was sent', async () => {
    const testStart = new Date();
    const conversationId = `c-${randomUUID().slice(0, 8)}`;
    // The conversation the customer booked in, as the processor records it.
    await db.pool.query(`insert into conversations (id, chat_type, user_id, business_id) values ($1, 'DEDICATED', 'u-diego', $2)`, [conversationId, TABERNA]);
    const customer = await TestSocket.open(stream, await tokenFor('u-diego'));
    sockets.push(customer);
    expect(await customer.subscribe(conversationId)).toMatchObject({ type: 'subscribed', conversationId });

    const startsAt = new Date(Date.now() + 62_000);
    const bookingId = await insertBooking(db.pool, { businessId: TABERNA, conversationId, startsAt, partySize: 2, userId: 'u-diego' });
    const { workflowId } = await temporal.manager.startWorkflow('reservation', {
      bookingId, businessId: TABERNA, conversationId, userId: 'u-diego', partySize: 2,
      startsAt: startsAt.toISOString(), timeZone: LISBON, causationId: randomUUID(),
    });

    // The customer's socket: the booking's updates, the reminder last, in order.
    const frame = await customer.next((f) => f.type === 'event' && f.conversationId === conversationId && f.event.body.status === 'REMINDER_SENT', 45_000);
    const { rows: [booking] } = await db.pool.query<{ reminder_sent_at: Date }>('select reminder_sent_at from bookings where id = $1', [bookingId]);
    const sent = booking!.reminder_sent_at;
    expect(sent).toBeInstanceOf(Date);
    const day = lisbon(startsAt).day === lisbon(sent).day ? 'today' : 'tomorrow';
    const text = `Reminder: your table for 2 at Taberna do Largo ${day} at ${lisbon(startsAt).time}`;
    expect(frame.event.body).toEqual({ type: 'WorkflowUpdate', workflowId, workflowType: 'RESERVATION', status: 'REMINDER_SENT', detail: text });
    expect(customer.events(conversationId).map((f) => f.event.body.status)).toEqual(['STARTED', 'CONFIRMED', 'REMINDER_SENT']);

    // The same record on chat.outbound, keyed by the customer's conversation.
    const mine = outbound.records.filter((r) => r.key?.toString() === conversationId);
    const updates = await Promise.all(mine.map(async (r) => (await codec.decode('chat.outbound', r.value)).value as OutboundEvent));
    const reminder = updates.find((e) => e.body.type === 'WorkflowUpdate' && e.body.status === 'REMINDER_SENT')!;
    expect(reminder).toMatchObject({ eventId: frame.event.eventId, conversationId, userId: 'u-diego', businessId: TABERNA, chatType: 'DEDICATED' });
    expect((reminder.body as WorkflowUpdate).detail).toBe(text);

    // The owner's dashboard, asked (on a clock before the table's time) about the upcoming
    // bookings and their workflows: the booking's card says the customer was reminded.
    const deps = chatDeps(db.pool, db.url, temporal.manager, { now: () => testStart.getTime() });
    const dashboard = processInTurn(createDashboardProcessor(deps), deps);
    const { outputs } = await dashboard(chatMessage({ chatType: 'DASHBOARD', userId: 'u-ana', businessId: TABERNA, text: "show confirmed bookings' workflows", sentAt: testStart }));
    const reply = outputs.map((o) => (o.value as OutboundEvent).body).find((b): b is Reply => b?.type === 'Reply')!;
    const card = reply.cards.find((c) => c.kind === 'BOOKING' && c.fields.Booking === bookingId);
    expect(card?.fields).toMatchObject({ People: '2', Status: 'confirmed' });
    expect(card?.fields.Reminder).toMatch(new RegExp(`^sent \\w{3} \\d{1,2} \\w{3} ${lisbon(sent).time}$`));
    // A booking not yet reminded (the demo's table for 4 tomorrow) says nothing of a reminder.
    const others = reply.cards.filter((c) => c.kind === 'BOOKING' && c.fields.Booking !== bookingId);
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) expect(other.fields).not.toHaveProperty('Reminder');
  });
});
