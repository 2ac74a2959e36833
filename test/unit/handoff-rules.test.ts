// The rules of hand-offs, pure: who may work them (src/handoffs/policy.ts and the
// dashboard's table), who may follow and write into a handed-off conversation through
// the bridge (src/bridge/authorization.ts, with the audit rows it writes), what the
// processor's validation says of STAFF messages, and the DASHBOARD phrases.
import { describe, expect, it } from 'vitest';
import { authorize, POLICY } from '../../processors/dashboard/policy.js';
import {
  Authorizer, postDecision, subscribeDecision,
  type AccessAudit, type AccessDirectory, type ConversationRecord, type Role,
} from '../../src/bridge/authorization.js';
import { chatMessageFromFrame } from '../../src/bridge/inbound.js';
import { parseClientFrame } from '../../src/bridge/protocol.js';
import { chatMessageFromFlags } from '../../src/cli/chat-message-flags.js';
import type { ChatMessage, ChatType } from '../../src/events.js';
import { HANDOFF_LEAST_ROLE, handoffRefusal, isCloseCommand, isStaffAgent, mayHandle, staffAgentName } from '../../src/handoffs/policy.js';
import { staffSenderRule, validateChatMessage } from '../../src/pipeline/validation.js';
import { classifyIntent } from '../../src/understanding/index.js';

describe('the hand-off role policy', () => {
  it('lets every member work hand-offs and nobody else', () => {
    expect(HANDOFF_LEAST_ROLE).toEqual({ view_handoffs: 'staff', answer_handoff: 'staff', close_handoff: 'staff' });
    for (const action of ['view_handoffs', 'answer_handoff', 'close_handoff'] as const) {
      for (const role of ['staff', 'manager', 'owner'] as const) expect(mayHandle(action, role), `${action} ${role}`).toBe(true);
      expect(mayHandle(action, null)).toBe(false);
    }
    expect(handoffRefusal('answer_handoff', null, 'b-1')).toBe('Answering a handed-off conversation needs the staff role or higher in business b-1; you are not a member of it');
    expect(handoffRefusal('answer_handoff', 'staff', 'b-1')).toBeNull();
  });

  it('is part of the dashboard\'s one table, with a denial for non-members', () => {
    expect(POLICY).toMatchObject({ view_handoffs: 'staff', answer_handoff: 'staff', close_handoff: 'staff' });
    expect(authorize('view_handoffs', 'staff').allowed).toBe(true);
    expect(authorize('close_handoff', null)).toMatchObject({
      allowed: false, reason: 'Closing a hand-off needs the staff role or higher; you are not a member of this business.',
    });
  });

  it('names a person as staff:<id>, and knows the close command only on its own', () => {
    expect(staffAgentName('u-carla')).toBe('staff:u-carla');
    expect(isStaffAgent('staff:u-carla')).toBe(true);
    expect(isStaffAgent('handoff')).toBe(false);
    for (const t of ['close hand-off', 'Close hand-off.', '  end the handoff!', 'finish this hand off']) expect(isCloseCommand(t), t).toBe(true);
    for (const t of ["I'll close the hand-off once you're happy", 'close hand-off please, and thanks', 'close', `close hand-off${' '.repeat(100)}`]) {
      expect(isCloseCommand(t), t).toBe(false);
    }
  });
});

const customerConversation: ConversationRecord = { ownerId: 'u-diego', chatType: 'DEDICATED', businessId: 'b-1', source: 'database' };

describe('the bridge rule for a handed-off conversation', () => {
  const open = { handoffId: 'h-1' };
  it('lets a member of its business follow and answer it while the hand-off is open, as staff', () => {
    expect(subscribeDecision('u-carla', customerConversation, false, { role: 'staff', ...open })).toEqual({ allow: true, staff: { handoffId: 'h-1', role: 'staff' } });
    const post = postDecision('u-carla', customerConversation, { chatType: 'DEDICATED', businessId: 'b-1' }, false, { role: 'owner', ...open });
    expect(post).toEqual({ allow: true, staff: { handoffId: 'h-1', role: 'owner' } });
  });

  it('refuses a member when no hand-off is open, and a stranger without saying more', () => {
    expect(subscribeDecision('u-carla', customerConversation, false, { role: 'staff', handoffId: null })).toMatchObject({
      allow: false, code: 'FORBIDDEN', message: 'conversation belongs to another user, and it has no open hand-off to business b-1',
    });
    expect(subscribeDecision('u-eva', customerConversation, false, { role: null, handoffId: null })).toEqual({
      allow: false, code: 'FORBIDDEN', message: 'conversation belongs to another user',
    });
    expect(postDecision('u-eva', customerConversation, { chatType: 'DEDICATED', businessId: 'b-1' }, false, { role: null, handoffId: null })).toMatchObject({ allow: false, code: 'FORBIDDEN' });
  });

  it('leaves the owner, the chat type and the business rules as they were', () => {
    expect(subscribeDecision('u-diego', customerConversation, false, null)).toEqual({ allow: true });
    // A member still cannot move the conversation to another business or chat type.
    expect(postDecision('u-carla', customerConversation, { chatType: 'DEDICATED', businessId: 'b-2' }, false, { role: 'staff', ...open })).toMatchObject({ code: 'INVALID_EVENT', field: 'businessId' });
    expect(postDecision('u-carla', customerConversation, { chatType: 'GLOBAL', businessId: null }, false, { role: 'staff', ...open })).toMatchObject({ code: 'INVALID_EVENT', field: 'chatType' });
    // GLOBAL conversations have no business and no hand-off.
    expect(subscribeDecision('u-carla', { ...customerConversation, chatType: 'GLOBAL', businessId: null }, false, { role: 'staff', ...open })).toMatchObject({ allow: false });
  });
});

/** The directory in memory: conversations, members, open hand-offs, and the audit rows written. */
class MemoryDirectory implements AccessDirectory {
  rows = new Map<string, ConversationRecord>([['c-diego', customerConversation]]);
  members = new Map<string, Role>([['b-1/u-carla', 'staff'], ['b-2/u-joao', 'owner']]);
  handoffs = new Map<string, string>([['c-diego', 'h-1']]);
  audits: AccessAudit[] = [];
  async findConversation(id: string) {
    return this.rows.get(id) ?? null;
  }
  async claimConversation(_id: string, userId: string) {
    return userId;
  }
  async recordConversation(id: string, userId: string, chatType: ChatType, businessId: string | null) {
    if (!this.rows.has(id)) this.rows.set(id, { ownerId: userId, chatType, businessId, source: 'database' });
    return this.rows.get(id)!;
  }
  async roleIn(userId: string, businessId: string) {
    return this.members.get(`${businessId}/${userId}`) ?? null;
  }
  async openHandoffId(conversationId: string) {
    return this.handoffs.get(conversationId) ?? null;
  }
  async audit(entry: AccessAudit) {
    this.audits.push(entry);
  }
}

describe('Authorizer and the audit of staff access', () => {
  it('audits every staff subscription, allowed or refused, and nobody else\'s', async () => {
    const directory = new MemoryDirectory();
    const authorizer = new Authorizer(directory);
    expect(await authorizer.authorizeSubscribe('u-carla', 'c-diego')).toMatchObject({ allow: true, staff: { handoffId: 'h-1' } });
    expect(await authorizer.authorizeSubscribe('u-diego', 'c-diego')).toEqual({ allow: true });
    expect(await authorizer.authorizeSubscribe('u-joao', 'c-diego')).toMatchObject({ allow: false }); // another business's owner
    expect(directory.audits).toEqual([
      { businessId: 'b-1', userId: 'u-carla', action: 'follow_handoff', allowed: true, detail: { conversationId: 'c-diego', handoffId: 'h-1', role: 'staff' } },
    ]);
    directory.handoffs.delete('c-diego');
    expect(await authorizer.authorizeSubscribe('u-carla', 'c-diego')).toMatchObject({ allow: false, code: 'FORBIDDEN' });
    expect(directory.audits[1]).toMatchObject({ userId: 'u-carla', action: 'follow_handoff', allowed: false, detail: { handoffId: null, reason: expect.stringContaining('no open hand-off') } });
  });

  it('on a re-check, audits only the access it ends', async () => {
    const directory = new MemoryDirectory();
    const authorizer = new Authorizer(directory);
    expect(await authorizer.authorizeSubscribe('u-carla', 'c-diego', { recheck: true })).toMatchObject({ allow: true });
    expect(directory.audits).toEqual([]);
    directory.members.delete('b-1/u-carla');
    expect(await authorizer.authorizeSubscribe('u-carla', 'c-diego', { recheck: true })).toMatchObject({ allow: false });
    expect(directory.audits).toEqual([expect.objectContaining({ userId: 'u-carla', allowed: false, detail: expect.objectContaining({ ended: true, role: null }) })]);
  });

  it('lets staff read the transcript on the same terms, audited, and writes their message as staff', async () => {
    const directory = new MemoryDirectory();
    const authorizer = new Authorizer(directory);
    expect(await authorizer.authorizeRead('u-carla', 'c-diego')).toMatchObject({ allow: true });
    expect(await authorizer.authorizeRead('u-carla', 'c-nobody')).toBeNull();
    expect(directory.audits).toEqual([expect.objectContaining({ action: 'read_handoff', allowed: true })]);
    expect(await authorizer.authorizePost('u-carla', 'c-diego', { chatType: 'DEDICATED', businessId: 'b-1' })).toMatchObject({ allow: true, staff: { handoffId: 'h-1' } });
    expect(await authorizer.authorizePost('u-diego', 'c-diego', { chatType: 'DEDICATED', businessId: 'b-1' })).toEqual({ allow: true });
  });
});

describe('STAFF messages', () => {
  const base: ChatMessage = {
    eventId: '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', conversationId: 'c-diego', chatType: 'DEDICATED', userId: 'u-carla', businessId: 'b-1',
    text: 'Hi, Carla here', channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date('2026-01-01T10:00:00Z'), clientMessageId: null, senderRole: 'STAFF',
  };
  const limits = { maxTextBytes: 4000, maxClockSkewMs: 0 };

  it('come from the bridge only as it decides: a frame cannot carry a sender role', () => {
    const frame = { type: 'message', clientMessageId: 'm1', conversationId: 'c-diego', chatType: 'DEDICATED', businessId: 'b-1', text: 'hi' };
    expect(parseClientFrame(JSON.stringify({ ...frame, senderRole: 'STAFF' }))).toMatchObject({ ok: false, problem: { code: 'BAD_FRAME', field: 'senderRole' } });
    const parsed = parseClientFrame(JSON.stringify(frame));
    if (!parsed.ok || parsed.frame.type !== 'message') throw new Error('frame refused');
    expect(chatMessageFromFrame(parsed.frame, 'u-carla', base.eventId, base.sentAt).senderRole).toBe('USER');
    expect(chatMessageFromFrame(parsed.frame, 'u-carla', base.eventId, base.sentAt, 'STAFF').senderRole).toBe('STAFF');
  });

  it('can be produced with x7 produce --sender-role, which is absent (null) unless given', () => {
    const flags = { 'chat-type': 'DEDICATED', conversation: 'c-diego', user: 'u-carla', business: 'b-1', text: 'hi' };
    const now = () => new Date('2026-01-01T10:00:00Z');
    const id = () => base.eventId;
    expect(chatMessageFromFlags(flags, now, id).senderRole).toBeNull();
    expect(chatMessageFromFlags({ ...flags, 'sender-role': 'staff' }, now, id).senderRole).toBe('STAFF');
    expect(() => chatMessageFromFlags({ ...flags, 'sender-role': 'admin' }, now, id)).toThrow('--sender-role must be one of USER, STAFF (got "admin")');
  });

  it('exist only in DEDICATED conversations', () => {
    expect(validateChatMessage(base, limits, base.sentAt.getTime())).toBeNull();
    expect(validateChatMessage({ ...base, chatType: 'DASHBOARD' }, limits, base.sentAt.getTime())).toMatchObject({ code: 'INVALID_EVENT', field: 'senderRole' });
    expect(validateChatMessage({ ...base, senderRole: null }, limits, base.sentAt.getTime())).toBeNull();
  });

  it('must come from a member who may answer, into an open hand-off to that business', async () => {
    const access = new Map<string, { role: Role | null; handoffOpen: boolean }>([
      ['u-carla', { role: 'staff', handoffOpen: true }],
      ['u-eva', { role: null, handoffOpen: false }],
      ['u-bruno', { role: 'manager', handoffOpen: false }],
    ]);
    const rule = staffSenderRule({ staffAccess: async (userId) => access.get(userId)! });
    expect(await rule(base)).toBeNull();
    expect(await rule({ ...base, userId: 'u-eva' })).toEqual({
      code: 'INVALID_EVENT', field: 'senderRole',
      message: 'senderRole STAFF: user "u-eva" is not a member of business b-1; only its members who may answer hand-offs can write as staff',
    });
    expect(await rule({ ...base, userId: 'u-bruno' })).toMatchObject({ field: 'senderRole', message: 'senderRole STAFF: conversation "c-diego" has no open hand-off to business b-1' });
    // A customer's message is not its business.
    expect(await rule({ ...base, userId: 'u-eva', senderRole: 'USER' })).toBeNull();
  });
});

describe('DASHBOARD phrases for the inbox', () => {
  const intentOf = (text: string) => classifyIntent(text, { chatType: 'DASHBOARD' }).intent;
  it('lists and closes hand-offs', () => {
    for (const t of ['open hand-offs', 'Show the inbox', 'any customers waiting for a person?', 'handoffs']) expect(intentOf(t), t).toBe('handoffs_list');
    for (const t of ['close hand-off 3f2a9c1b', 'Close hand-off web-123', 'end the handoff of c-42']) expect(intentOf(t), t).toBe('handoff_close');
    const close = classifyIntent('close hand-off 3f2a9c1b', { chatType: 'DASHBOARD' });
    expect(close.matched).toEqual(['handoff_close:verb']);
    // Not about hand-offs.
    expect(intentOf('close bookings tonight')).toBe('pause_bookings');
  });
});
