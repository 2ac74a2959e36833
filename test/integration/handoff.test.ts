// Hand-offs to a person through the processor as `x7 processor` assembles it
// (createProcessorService: the shipped processors and validation over a seeded
// Postgres of the test's own, the stack's broker and registry): the conversation
// lands in the business's inbox, the customer's messages wait for the person, the
// person's answer reaches the customer as a Reply from a person, closing gives the
// conversation back to the agents; STAFF messages from anyone else go to the DLQ
// with the reason; the DASHBOARD lists and closes hand-offs, denying non-members.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessorService, type ProcessorService } from '../../src/app/processor-service.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, ChatType, OutboundEvent, Reply } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { projectPath } from '../../src/paths.js';
import { runX7 } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { chatMessage, prepareNamespace, sendChatMessages, TopicReader, waitUntil, type Received } from '../support/pipeline.js';

const TABERNA = 'lis-taberna-do-largo'; // members: u-ana owner, u-bruno manager, u-carla staff
const GARRETT = 'lis-cafe-garrett'; // a café: takes no bookings; members u-ana owner, u-carla staff

interface Exchange {
  events: OutboundEvent[];
  reply: Reply | undefined;
  fact: AnalyticsEvent;
}

describe('hand-offs to a person', () => {
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let service: ProcessorService;
  let outbound: TopicReader;
  let analytics: TopicReader;
  let dlq: TopicReader;
  const decodedOutbound = new Map<string, OutboundEvent>();
  const decodedFacts = new Map<string, AnalyticsEvent>();

  beforeAll(async () => {
    const prefix = uniquePrefix('handoff');
    db = await createTestDatabase({ seed: true, label: 'handoff' });
    config = isolatedConfig(prefix, { DATABASE_URL: db.url, X7_METRICS_PORT: '0', X7_LOG_LEVEL: 'silent' });
    await prepareNamespace(config);
    codec = createCodec(config);
    [outbound, analytics, dlq] = await Promise.all([
      TopicReader.open(config, 'chat.outbound'), TopicReader.open(config, 'chat.analytics'), TopicReader.open(config, 'chat.inbound.dlq'),
    ]);
    service = createProcessorService({ config, logger: createLogger('test-processor', 'silent') });
    await service.start();
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await Promise.all([outbound?.close(), analytics?.close(), dlq?.close()]);
    await db?.drop();
  });

  async function decodeAll<T>(records: Received[], topic: 'chat.outbound' | 'chat.analytics', cache: Map<string, T>): Promise<T[]> {
    for (const r of records) {
      const id = `${r.partition}:${r.offset}`;
      if (!cache.has(id)) cache.set(id, (await codec.decode(topic, r.value)).value as T);
    }
    return [...cache.values()];
  }

  /** Sends the message and waits until it is processed (its DONE and its fact); what it caused. */
  async function send(m: ChatMessage): Promise<Exchange> {
    await sendChatMessages(config, codec, [m]);
    let events: OutboundEvent[] = [];
    let fact: AnalyticsEvent | undefined;
    await waitUntil(async () => {
      events = (await decodeAll(outbound.records, 'chat.outbound', decodedOutbound)).filter((e) => e.causationId === m.eventId);
      fact = (await decodeAll(analytics.records, 'chat.analytics', decodedFacts)).find((f) => f.inboundEventId === m.eventId);
      return fact !== undefined && events.some((e) => e.body.type === 'StatusUpdate' && e.body.status !== 'RECEIVED');
    }, 45_000, `"${m.text}" processed`);
    const reply = events.find((e) => e.body.type === 'Reply')?.body as Reply | undefined;
    return { events, reply, fact: fact! };
  }

  function say(conversationId: string, userId: string, text: string, options: { businessId?: string; chatType?: ChatType; staff?: boolean } = {}): ChatMessage {
    return chatMessage({
      conversationId, userId, text, businessId: options.businessId ?? TABERNA, chatType: options.chatType ?? 'DEDICATED',
      senderRole: options.staff ? 'STAFF' : 'USER',
    });
  }

  const handoffOf = async (conversationId: string) =>
    (await db.pool.query('select * from handoffs where conversation_id = $1 order by opened_at desc', [conversationId])).rows;

  it('puts the conversation in the inbox, holds the customer for the person, relays the answer, and gives it back on close', async () => {
    const c = `c-${randomUUID()}`;
    const asked = await send(say(c, 'u-diego', 'Can I talk to a person please?'));
    expect(asked.reply).toMatchObject({ agent: 'handoff', text: expect.stringContaining("I'll pass you to the team at Taberna do Largo. Someone from the team will answer you here") });
    expect(asked.fact).toMatchObject({ intent: 'human_handoff', agent: 'handoff', outcome: 'HANDED_OFF' });
    const [opened] = await handoffOf(c);
    expect(opened).toMatchObject({ business_id: TABERNA, customer_id: 'u-diego', reason: 'asked', status: 'open', first_message: 'Can I talk to a person please?', taken_by: null });

    // The customer writes again: stored and acknowledged, no agent answers.
    const waiting = await send(say(c, 'u-diego', 'What time do you open on Saturday?'));
    expect(waiting.reply).toBeUndefined();
    expect(waiting.events.map((e) => e.body.type === 'StatusUpdate' && e.body.status)).toEqual(['RECEIVED', 'DONE']);
    expect(waiting.fact).toMatchObject({ agent: 'handoff', outcome: 'HANDED_OFF', agentReason: expect.stringContaining('a person answers, not the agents') });

    // A member answers: a Reply from a person, on the customer's conversation.
    const answer = say(c, 'u-carla', 'Hi Diego, Carla here: from 12:00 on Saturday.', { staff: true });
    const answered = await send(answer);
    expect(answered.reply).toEqual({ type: 'Reply', agent: 'staff:u-carla', text: 'Hi Diego, Carla here: from 12:00 on Saturday.', cards: [], suggestions: [] });
    expect(answered.events.every((e) => e.userId === 'u-diego' && e.conversationId === c)).toBe(true);
    expect(answered.fact).toMatchObject({ userId: 'u-carla', agent: 'staff:u-carla', intent: null, outcome: 'ANSWERED' });
    expect((await handoffOf(c))[0]).toMatchObject({ status: 'open', taken_by: 'u-carla' });

    // The staff inbox of the dashboard shows it, taken by Carla.
    const inbox = await send(say(`d-${randomUUID()}`, 'u-bruno', 'Show the inbox', { chatType: 'DASHBOARD' }));
    expect(inbox.reply?.text).toMatch(/^1 conversation at Taberna do Largo waits for a person\./);
    expect(inbox.reply?.cards).toEqual([expect.objectContaining({
      title: 'Diego Ramírez',
      fields: expect.objectContaining({ Ref: opened.id.slice(0, 8), Conversation: c, Asked: 'Can I talk to a person please?', 'Taken by': 'Carla Nunes' }),
    })]);

    // "close hand-off": the conversation is the agents' again, and the customer is told.
    const closed = await send(say(c, 'u-carla', 'close hand-off', { staff: true }));
    expect(closed.reply).toMatchObject({ agent: 'handoff', text: expect.stringContaining('The team at Taberna do Largo has handed this conversation back to me') });
    expect((await handoffOf(c))[0]).toMatchObject({ status: 'closed', closed_by: 'u-carla' });
    const after = await send(say(c, 'u-diego', 'Are you open now?'));
    expect(after.reply?.agent).toBe('hours');

    // What the customer and the person said is in the conversation's messages, once.
    const { rows } = await db.pool.query('select role, agent, text from messages where conversation_id = $1 order by created_at', [c]);
    expect(rows.filter((r) => r.agent === 'staff:u-carla')).toEqual([{ role: 'assistant', agent: 'staff:u-carla', text: 'Hi Diego, Carla here: from 12:00 on Saturday.' }]);
    expect(rows.filter((r) => r.role === 'user').map((r) => r.text)).toEqual(['Can I talk to a person please?', 'What time do you open on Saturday?', 'Are you open now?']);
  }, 120_000);

  it('lets the agents go on after an unanswered hand-off until a person takes it', async () => {
    const c = `c-${randomUUID()}`;
    const unanswered = await send(say(c, 'u-eva', 'can I book a table for 2 tomorrow at 10am?', { businessId: GARRETT }));
    expect(unanswered.reply).toMatchObject({ agent: 'handoff', text: expect.stringContaining("meanwhile I'll answer what I can") });
    expect((await handoffOf(c))[0]).toMatchObject({ reason: 'unanswered', status: 'open' });
    expect((await send(say(c, 'u-eva', 'Do you have wifi?', { businessId: GARRETT }))).reply?.agent).toMatch(/^faq\b/);

    await send(say(c, 'u-carla', 'Hello Eva, we do not take bookings, but come by!', { businessId: GARRETT, staff: true }));
    const held = await send(say(c, 'u-eva', 'Do you have wifi?', { businessId: GARRETT }));
    expect(held.reply).toBeUndefined();
  }, 120_000);

  it('dead-letters a STAFF message from anyone but a member into an open hand-off, with the reason', async () => {
    const c = `c-${randomUUID()}`;
    await send(say(c, 'u-diego', 'I want to speak to a person'));
    const before = dlq.records.length;
    const stranger = say(c, 'u-eva', 'Hi, this is the manager (not really)', { staff: true });
    const wrongType = say(`d-${randomUUID()}`, 'u-carla', 'hello from the dashboard', { chatType: 'DASHBOARD', staff: true });
    const noHandoff = say(`c-${randomUUID()}`, 'u-carla', 'Hello?', { staff: true });
    await sendChatMessages(config, codec, [stranger, wrongType, noHandoff]);
    await waitUntil(() => dlq.records.length >= before + 3, 45_000, 'three DLQ records');
    const reasons = new Map(dlq.records.slice(before).map((r) => [
      r.key?.toString(),
      { code: r.headers['x7.error.code']?.toString(), field: r.headers['x7.error.field']?.toString(), message: r.headers['x7.error.message']?.toString() },
    ]));
    expect(reasons.get(c)).toEqual({
      code: 'INVALID_EVENT', field: 'senderRole',
      message: `senderRole STAFF: user "u-eva" is not a member of business ${TABERNA}; only its members who may answer hand-offs can write as staff`,
    });
    expect(reasons.get(wrongType.conversationId)).toMatchObject({ code: 'INVALID_EVENT', field: 'senderRole', message: expect.stringContaining('a DASHBOARD message cannot be one') });
    expect(reasons.get(noHandoff.conversationId)).toMatchObject({ code: 'INVALID_EVENT', field: 'senderRole', message: expect.stringContaining('has no open hand-off') });
    // Nothing reached the customer's conversation from the stranger.
    const toCustomer = (await decodeAll(outbound.records, 'chat.outbound', decodedOutbound)).filter((e) => e.causationId === stranger.eventId);
    expect(toCustomer).toEqual([]);
  }, 120_000);

  it('denies the inbox to someone who is not a member, with an audit row, and audits a close by ref', async () => {
    const c = `c-${randomUUID()}`;
    await send(say(c, 'u-filipa', 'Can I talk to someone?'));
    const [opened] = await handoffOf(c);

    const denied = say(`d-${randomUUID()}`, 'u-joao', 'open hand-offs', { chatType: 'DASHBOARD' });
    const refusal = await send(denied);
    expect(refusal.fact).toMatchObject({ intent: 'handoffs_list', agent: 'inbox', outcome: 'DENIED' });
    expect(refusal.events.find((e) => e.body.type === 'ErrorNotice')?.body).toMatchObject({
      code: 'FORBIDDEN', message: 'Viewing hand-offs (view_handoffs) needs the staff role or higher; you are not a member of this business.',
    });
    expect(refusal.reply?.cards ?? []).toEqual([]);
    const audit = async (eventId: string) =>
      (await db.pool.query(`select action, allowed, user_id, business_id, detail from audit_log where detail->>'eventId' = $1`, [eventId])).rows;
    expect(await audit(denied.eventId)).toEqual([expect.objectContaining({ action: 'view_handoffs', allowed: false, user_id: 'u-joao', business_id: TABERNA })]);

    const close = say(`d-${randomUUID()}`, 'u-ana', `close hand-off ${opened.id.slice(0, 8)}`, { chatType: 'DASHBOARD' });
    const closed = await send(close);
    expect(closed.reply?.text).toBe(`Closed hand-off ${opened.id.slice(0, 8)} (conversation ${c}): the assistant answers that customer again.`);
    expect((await handoffOf(c))[0]).toMatchObject({ status: 'closed', closed_by: 'u-ana' });
    expect(await audit(close.eventId)).toEqual([expect.objectContaining({
      action: 'close_handoff', allowed: true, user_id: 'u-ana', business_id: TABERNA, detail: expect.objectContaining({ handoffId: opened.id, conversationId: c }),
    })]);
    // The customer's next message is the agents' again.
    expect((await send(say(c, 'u-filipa', 'Do you take cards?'))).reply?.agent).toBe('faq');
  }, 120_000);
});

describe('ChatMessage.senderRole', () => {
  it('is added the compatible way: the schema registers over the one without it, under BACKWARD_TRANSITIVE', async () => {
    const prefix = uniquePrefix('handoff-schema');
    const before = mkdtempSync(join(tmpdir(), 'x7-schemas-'));
    cpSync(projectPath('schemas'), before, { recursive: true });
    const file = join(before, 'ChatMessage.avsc');
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { fields: { name: string }[] };
    schema.fields = schema.fields.filter((f) => f.name !== 'senderRole');
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect((await runX7(['schemas', 'register', '--schemas-dir', before], isolatedEnv(prefix))).code).toBe(0);

    const check = await runX7(['schemas', 'check'], isolatedEnv(prefix));
    expect(check.stdout).toContain(`${prefix}chat.inbound-value: compatible with the latest version`);
    expect(check.code).toBe(0);
    const registered = await runX7(['schemas', 'register'], isolatedEnv(prefix));
    expect(registered.code).toBe(0);
    const response = await fetch(`${isolatedConfig(prefix).schemaRegistryUrl}/subjects/${prefix}chat.inbound-value/versions`);
    expect(await response.json()).toEqual([1, 2]);
  }, 60_000);
});
