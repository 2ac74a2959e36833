// Staff and a handed-off conversation, as clients meet it on a spawned `x7 bridge`:
// who may follow and answer it (members with the right role, while the hand-off is
// open), the audit row of each staff subscription, the STAFF message the bridge
// writes for them, and the subscription ending when the hand-off closes or the
// membership goes; the inbox and transcript endpoints of the staff page.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RowsOf } from '../../src/db/members.js';
import { closeHandoff, openHandoff, type Handoff } from '../../src/db/handoffs.js';
import type { ChatMessage } from '../../src/events.js';
import {
  bridgeNamespace, newConversationId, outboundEvent, produceOutbound, startBridge, TestSocket, tokenFor,
  type BridgeNamespace, type BridgeProcess,
} from '../support/bridge.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TopicReader } from '../support/pipeline.js';

const TABERNA = 'lis-taberna-do-largo'; // members: u-ana owner, u-bruno manager, u-carla staff

let db: TestDatabase;
let rows: RowsOf;
let ns: BridgeNamespace;
let bridge: BridgeProcess;
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ seed: true, label: 'handoff_bridge' });
  rows = async (sql, params) => (await db.pool.query(sql, params)).rows;
  ns = await bridgeNamespace('handoff-bridge');
  bridge = await startBridge({ prefix: ns.prefix, databaseUrl: db.url });
}, 120_000);
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await bridge?.kill();
  await db?.drop();
});

async function socket(userId: string): Promise<TestSocket> {
  const s = await TestSocket.open(bridge.ws, await tokenFor(userId));
  cleanup.push(() => s.close());
  return s;
}

/** Diego's conversation with Taberna do Largo, handed off to a person (as the hand-off agent does). */
async function handedOff(text = 'Can I talk to a person?'): Promise<Handoff> {
  const conversationId = newConversationId();
  await db.pool.query(`insert into conversations (id, chat_type, user_id, business_id) values ($1, 'DEDICATED', 'u-diego', $2)`, [conversationId, TABERNA]);
  return openHandoff(rows, { id: randomUUID(), conversationId, businessId: TABERNA, customerId: 'u-diego', reason: 'asked', firstMessage: text, at: new Date() });
}

const audits = async (conversationId: string) =>
  (await db.pool.query(`select user_id, action, allowed, detail from audit_log where detail->>'conversationId' = $1 order by id`, [conversationId])).rows;

async function api(path: string, userId: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${bridge.http}${path}`, { headers: { authorization: `Bearer ${await tokenFor(userId)}` } });
  return { status: response.status, body: await response.json() };
}

describe('a handed-off conversation on the bridge', () => {
  it('is open to the business\'s members while the hand-off is open, audited per subscription, and to nobody else', async () => {
    const h = await handedOff();
    const carla = await socket('u-carla');
    expect(await carla.subscribe(h.conversationId)).toMatchObject({ type: 'subscribed', conversationId: h.conversationId });
    const eva = await socket('u-eva'); // a customer of her own, not a member
    expect(await eva.subscribe(h.conversationId)).toEqual({ type: 'error', code: 'FORBIDDEN', message: 'conversation belongs to another user', ref: h.conversationId });
    const joao = await socket('u-joao'); // the owner of another business
    expect(await joao.subscribe(h.conversationId)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await audits(h.conversationId)).toEqual([
      { user_id: 'u-carla', action: 'follow_handoff', allowed: true, detail: { conversationId: h.conversationId, handoffId: h.id, role: 'staff' } },
    ]);

    // What the customer's conversation gets, the member gets too.
    await produceOutbound(ns.config, ns.codec, [outboundEvent(h.conversationId, 'u-diego', 1)]);
    expect((await carla.waitForEvents(h.conversationId, 1))[0]!.event).toMatchObject({ conversationId: h.conversationId, body: { text: 'reply 1' } });

    // A subscription after the hand-off closed is refused, and that is audited too.
    await closeHandoff(rows, h.id, 'u-ana', new Date(), randomUUID());
    const bruno = await socket('u-bruno');
    expect(await bruno.subscribe(h.conversationId)).toMatchObject({ type: 'error', code: 'FORBIDDEN', message: expect.stringContaining('no open hand-off') });
    expect(await audits(h.conversationId)).toContainEqual(expect.objectContaining({ user_id: 'u-bruno', action: 'follow_handoff', allowed: false }));
  });

  it('writes a member\'s message as STAFF, from the token, and refuses a frame that names a sender role', async () => {
    const h = await handedOff();
    const inbound = await TopicReader.open(ns.config, 'chat.inbound');
    cleanup.push(() => inbound.close());
    const carla = await socket('u-carla');
    carla.send({ type: 'message', clientMessageId: 'm-staff', conversationId: h.conversationId, chatType: 'DEDICATED', businessId: TABERNA, text: 'Hi Diego, Carla here.' });
    const ack = await carla.nextOfType('ack');
    carla.send({ type: 'message', clientMessageId: 'm-forged', conversationId: h.conversationId, chatType: 'DEDICATED', businessId: TABERNA, text: 'x', senderRole: 'USER' });
    expect(await carla.next((f) => f.ref === 'm-forged')).toMatchObject({ type: 'error', code: 'BAD_FRAME', field: 'senderRole' });
    const diego = await socket('u-diego');
    diego.send({ type: 'message', clientMessageId: 'm-customer', conversationId: h.conversationId, chatType: 'DEDICATED', businessId: TABERNA, text: 'Thanks!' });
    await diego.nextOfType('ack');
    const eva = await socket('u-eva');
    eva.send({ type: 'message', clientMessageId: 'm-eva', conversationId: h.conversationId, chatType: 'DEDICATED', businessId: TABERNA, text: 'I am staff, honest' });
    expect(await eva.next((f) => f.ref === 'm-eva')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });

    const records = await inbound.waitFor(2);
    const messages = await Promise.all(records.map(async (r) => (await ns.codec.decode('chat.inbound', r.value)).value as ChatMessage));
    expect(messages.map((m) => [m.userId, m.senderRole, m.text])).toEqual([['u-carla', 'STAFF', 'Hi Diego, Carla here.'], ['u-diego', 'USER', 'Thanks!']]);
    expect(messages[0]!.eventId).toBe(ack.eventId);

    // Closed: the member may no longer write into it.
    await closeHandoff(rows, h.id, 'u-carla', new Date(), randomUUID());
    carla.send({ type: 'message', clientMessageId: 'm-late', conversationId: h.conversationId, chatType: 'DEDICATED', businessId: TABERNA, text: 'one more thing' });
    expect(await carla.next((f) => f.ref === 'm-late')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
  });

  it('ends a staff subscription within seconds of the hand-off closing, or the membership ending', async () => {
    const h = await handedOff();
    const carla = await socket('u-carla');
    const diego = await socket('u-diego');
    expect(await carla.subscribe(h.conversationId)).toMatchObject({ type: 'subscribed' });
    expect(await diego.subscribe(h.conversationId)).toMatchObject({ type: 'subscribed' });
    await closeHandoff(rows, h.id, 'u-carla', new Date(), randomUUID());
    expect(await carla.nextOfType('error')).toMatchObject({ code: 'FORBIDDEN', ref: h.conversationId, message: expect.stringContaining('access lost') });
    expect(await audits(h.conversationId)).toContainEqual(expect.objectContaining({ user_id: 'u-carla', allowed: false, detail: expect.objectContaining({ ended: true }) }));
    // The customer keeps their conversation; the member gets nothing more of it.
    await produceOutbound(ns.config, ns.codec, [outboundEvent(h.conversationId, 'u-diego', 2)]);
    await diego.waitForEvents(h.conversationId, 1);
    expect(carla.events(h.conversationId)).toEqual([]);

    // A member removed from the business loses an open hand-off's conversation the same way.
    const other = await handedOff();
    const userId = `u-temp-${randomUUID().slice(0, 6)}`;
    await db.pool.query(`insert into users (id, display_name) values ($1, 'Temp staff')`, [userId]);
    await db.pool.query(`insert into members (business_id, user_id, role) values ($1, $2, 'staff')`, [TABERNA, userId]);
    const temp = await socket(userId);
    expect(await temp.subscribe(other.conversationId)).toMatchObject({ type: 'subscribed' });
    await db.pool.query('delete from members where business_id = $1 and user_id = $2', [TABERNA, userId]);
    expect(await temp.nextOfType('error')).toMatchObject({ code: 'FORBIDDEN', ref: other.conversationId, message: expect.stringContaining('access lost') });
  });

  it('lists the open hand-offs of a member\'s businesses, and gives their transcript to members only, audited', async () => {
    const h = await handedOff('Is there a high chair?');
    await db.pool.query(
      `insert into messages (event_id, conversation_id, role, text, agent, created_at) values ($1, $2, 'user', 'Is there a high chair?', null, now() - interval '1 minute'), ($3, $2, 'assistant', 'Of course, I''ll pass you to the team.', 'handoff', now())`,
      [randomUUID(), h.conversationId, randomUUID()]);

    const inbox = await api('/api/handoffs', 'u-bruno');
    expect(inbox.status).toBe(200);
    expect(inbox.body.handoffs).toContainEqual(expect.objectContaining({
      id: h.id, conversationId: h.conversationId, businessId: TABERNA, businessName: 'Taberna do Largo', customerName: 'Diego Ramírez', firstMessage: 'Is there a high chair?', takenBy: null,
    }));
    expect((await api('/api/handoffs', 'u-diego')).body.handoffs).toEqual([]);
    expect((await api('/api/handoffs', 'u-joao')).body.handoffs.filter((x: { businessId: string }) => x.businessId === TABERNA)).toEqual([]);

    const path = `/api/transcript?conversationId=${encodeURIComponent(h.conversationId)}`;
    const transcript = await api(path, 'u-carla');
    expect(transcript.status).toBe(200);
    expect(transcript.body.messages.map((m: { role: string; text: string; agent: string | null }) => [m.role, m.text, m.agent])).toEqual([
      ['user', 'Is there a high chair?', null], ['assistant', "Of course, I'll pass you to the team.", 'handoff'],
    ]);
    expect(await api(path, 'u-eva')).toEqual({ status: 403, body: { error: 'conversation belongs to another user' } });
    expect((await api(`/api/transcript?conversationId=${newConversationId()}`, 'u-carla')).status).toBe(404);
    expect((await api('/api/transcript', 'u-carla')).status).toBe(400);
    expect((await fetch(`${bridge.http}${path}`)).status).toBe(401);
    expect(await audits(h.conversationId)).toEqual([expect.objectContaining({ user_id: 'u-carla', action: 'read_handoff', allowed: true })]);
    // The customer reads their own conversation; that is no staff access.
    expect((await api(path, 'u-diego')).status).toBe(200);
    expect(await audits(h.conversationId)).toHaveLength(1);
  });
});
