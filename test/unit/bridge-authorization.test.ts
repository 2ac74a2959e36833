import { describe, expect, it } from 'vitest';
import { Authorizer, postDecision, subscribeDecision, type AccessDirectory, type ConversationRecord, type Role } from '../../src/bridge/authorization.js';
import type { ChatType } from '../../src/events.js';

const dedicated: ConversationRecord = { ownerId: 'alice', chatType: 'DEDICATED', businessId: 'b-1', source: 'database' };
const dashboard: ConversationRecord = { ownerId: 'olga', chatType: 'DASHBOARD', businessId: 'b-1', source: 'database' };

describe('subscribe rules', () => {
  it('lets the owner in and keeps others out', () => {
    expect(subscribeDecision('alice', dedicated, false)).toEqual({ allow: true });
    expect(subscribeDecision('bob', dedicated, false)).toMatchObject({ allow: false, code: 'FORBIDDEN' });
    expect(subscribeDecision('alice', { ...dedicated, source: 'claim', chatType: null }, false)).toEqual({ allow: true });
  });
  it('opens dashboards to the members of the business, and only to them', () => {
    expect(subscribeDecision('sam', dashboard, true)).toEqual({ allow: true });
    expect(subscribeDecision('bob', dashboard, false)).toMatchObject({ allow: false, code: 'FORBIDDEN' });
    expect(subscribeDecision('olga', dashboard, false)).toMatchObject({ allow: false }); // removed from the business
  });
});

describe('post rules', () => {
  const msg = (chatType: ChatType, businessId: string | null) => ({ chatType, businessId });
  it('lets anyone start a conversation, but only members a dashboard', () => {
    expect(postDecision('bob', null, msg('GLOBAL', null), false)).toEqual({ allow: true });
    expect(postDecision('bob', null, msg('DASHBOARD', 'b-1'), false)).toMatchObject({ allow: false, code: 'FORBIDDEN' });
    expect(postDecision('sam', null, msg('DASHBOARD', 'b-1'), true)).toEqual({ allow: true });
  });
  it('keeps a conversation to its owner, chat type and business', () => {
    expect(postDecision('alice', dedicated, msg('DEDICATED', 'b-1'), false)).toEqual({ allow: true });
    expect(postDecision('bob', dedicated, msg('DEDICATED', 'b-1'), false)).toMatchObject({ code: 'FORBIDDEN' });
    expect(postDecision('alice', dedicated, msg('GLOBAL', null), false)).toMatchObject({ code: 'INVALID_EVENT', field: 'chatType' });
    expect(postDecision('alice', dedicated, msg('DEDICATED', 'b-2'), false)).toMatchObject({ code: 'INVALID_EVENT', field: 'businessId' });
    expect(postDecision('bob', { ownerId: 'alice', chatType: null, businessId: null, source: 'claim' }, msg('GLOBAL', null), false)).toMatchObject({ code: 'FORBIDDEN' });
    expect(postDecision('sam', dashboard, msg('DASHBOARD', 'b-1'), true)).toEqual({ allow: true });
  });
});

/** The directory in memory, with the same claim-then-record semantics. */
class MemoryDirectory implements AccessDirectory {
  rows = new Map<string, ConversationRecord>();
  claims = new Map<string, string>();
  members = new Map<string, Role>([['b-1/sam', 'staff']]);
  async findConversation(id: string) {
    return this.rows.get(id) ?? (this.claims.has(id) ? { ownerId: this.claims.get(id)!, chatType: null, businessId: null, source: 'claim' as const } : null);
  }
  async claimConversation(id: string, userId: string) {
    if (!this.claims.has(id)) this.claims.set(id, userId);
    return this.claims.get(id)!;
  }
  async recordConversation(id: string, userId: string, chatType: ChatType, businessId: string | null) {
    if (!this.rows.has(id)) this.rows.set(id, { ownerId: userId, chatType, businessId, source: 'database' });
    return this.rows.get(id)!;
  }
  async roleIn(userId: string, businessId: string) {
    return this.members.get(`${businessId}/${userId}`) ?? null;
  }
  // No hand-offs here (test/unit/handoff-rules.test.ts has them).
  async openHandoffId() {
    return null;
  }
  async audit() {}
}

describe('Authorizer', () => {
  it('gives a new conversation id to whoever subscribes first', async () => {
    const authorizer = new Authorizer(new MemoryDirectory());
    expect(await authorizer.authorizeSubscribe('alice', 'c-new')).toEqual({ allow: true });
    expect(await authorizer.authorizeSubscribe('bob', 'c-new')).toMatchObject({ allow: false, code: 'FORBIDDEN' });
    expect(await authorizer.authorizePost('bob', 'c-new', { chatType: 'GLOBAL', businessId: null })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await authorizer.authorizeSubscribe('alice', 'c-new')).toEqual({ allow: true });
  });

  it('records the conversation with its first message', async () => {
    const directory = new MemoryDirectory();
    const authorizer = new Authorizer(directory);
    expect(await authorizer.authorizePost('alice', 'c-1', { chatType: 'DEDICATED', businessId: 'b-1' })).toEqual({ allow: true });
    expect(directory.rows.get('c-1')).toMatchObject({ ownerId: 'alice', chatType: 'DEDICATED' });
    expect(await authorizer.authorizeSubscribe('bob', 'c-1')).toMatchObject({ allow: false });
  });

  it('shares a dashboard conversation with the business\'s members', async () => {
    const directory = new MemoryDirectory();
    directory.members.set('b-1/olga', 'owner');
    const authorizer = new Authorizer(directory);
    expect(await authorizer.authorizePost('olga', 'd-1', { chatType: 'DASHBOARD', businessId: 'b-1' })).toEqual({ allow: true });
    expect(await authorizer.authorizeSubscribe('sam', 'd-1')).toEqual({ allow: true });
    expect(await authorizer.authorizeSubscribe('bob', 'd-1')).toMatchObject({ allow: false });
    expect(await authorizer.authorizePost('bob', 'd-2', { chatType: 'DASHBOARD', businessId: 'b-1' })).toMatchObject({ allow: false, code: 'FORBIDDEN' });
  });
});
