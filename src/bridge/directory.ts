// What the bridge reads from PostgreSQL (conversations, members, businesses,
// users, hand-offs and their transcripts; the audit rows of staff access) and the
// Redis claims of not-yet-written conversations. Failures of
// either become DependencyUnavailableError, which the bridge answers with
// UNAVAILABLE: an outage is never mistaken for "forbidden" or "unknown".
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { databaseError } from '../db/errors.js';
import { auditHandoff, openHandoffOf, openInbox, transcriptOf, type InboxEntry, type TranscriptMessage } from '../db/handoffs.js';
import type { RowsOf } from '../db/members.js';
import type { ChatType } from '../events.js';
import type { BusinessDirectory } from '../pipeline/validation.js';
import { toRedisError } from '../state/redis.js';
import type { AccessAudit, AccessDirectory, ConversationRecord, Role } from './authorization.js';

export interface BusinessSummary {
  id: string;
  name: string;
  category: string;
  city: string;
  /** The caller's role in it, null when not a member. */
  role: Role | null;
}

export interface DemoUser {
  id: string;
  displayName: string;
  memberships: { businessId: string; role: Role }[];
}

export class Directory implements AccessDirectory, BusinessDirectory {
  constructor(
    private readonly pool: pg.Pool,
    private readonly redis: Redis,
    private readonly options: { databaseUrl: string; keyPrefix: string; claimTtlMs: number },
  ) {}

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw databaseError(error, this.options.databaseUrl);
    }
  }

  private readonly rows: RowsOf = (sql, params) => this.query(sql, params);

  private claimKey(conversationId: string): string {
    return `${this.options.keyPrefix}x7:bridge:claim:{${conversationId}}`;
  }

  async findConversation(conversationId: string): Promise<ConversationRecord | null> {
    const [row] = await this.query<{ user_id: string; chat_type: ChatType; business_id: string | null }>(
      'select user_id, chat_type, business_id from conversations where id = $1', [conversationId]);
    if (row) return { ownerId: row.user_id, chatType: row.chat_type, businessId: row.business_id, source: 'database' };
    let owner: string | null;
    try {
      owner = await this.redis.get(this.claimKey(conversationId));
    } catch (error) {
      throw toRedisError(error, 'conversation claim read');
    }
    return owner === null ? null : { ownerId: owner, chatType: null, businessId: null, source: 'claim' };
  }

  async claimConversation(conversationId: string, userId: string): Promise<string> {
    const key = this.claimKey(conversationId);
    try {
      const set = await this.redis.set(key, userId, 'PX', this.options.claimTtlMs, 'NX');
      if (set === 'OK') return userId;
      return (await this.redis.get(key)) ?? userId; // expired in between: nobody holds it
    } catch (error) {
      throw toRedisError(error, 'conversation claim');
    }
  }

  async recordConversation(conversationId: string, userId: string, chatType: ChatType, businessId: string | null): Promise<ConversationRecord> {
    await this.query(
      'insert into conversations (id, chat_type, user_id, business_id) values ($1, $2, $3, $4) on conflict (id) do nothing',
      [conversationId, chatType, userId, businessId]);
    const record = await this.findConversation(conversationId);
    if (record === null || record.source !== 'database') throw new Error(`conversation ${conversationId} vanished right after it was recorded`);
    return record;
  }

  async roleIn(userId: string, businessId: string): Promise<Role | null> {
    const [row] = await this.query<{ role: Role }>('select role from members where business_id = $1 and user_id = $2', [businessId, userId]);
    return row?.role ?? null;
  }

  async openHandoffId(conversationId: string): Promise<string | null> {
    return (await openHandoffOf(this.rows, conversationId))?.id ?? null;
  }

  async audit(entry: AccessAudit): Promise<void> {
    await auditHandoff(this.rows, entry);
  }

  /** The open hand-offs of every business where the user's role may view them (the staff inbox). */
  async inboxFor(userId: string): Promise<InboxEntry[]> {
    return openInbox(this.rows, { memberId: userId });
  }

  /** The conversation's latest messages, for a member following its hand-off. */
  async transcript(conversationId: string): Promise<TranscriptMessage[]> {
    return transcriptOf(this.rows, conversationId);
  }

  async hasBusiness(businessId: string): Promise<boolean> {
    return (await this.query('select 1 from businesses where id = $1', [businessId])).length > 0;
  }

  /** Every business, with the caller's role in each: the page's pickers. */
  async businessesFor(userId: string): Promise<BusinessSummary[]> {
    const rows = await this.query<{ id: string; name: string; category: string; city: string; role: Role | null }>(
      `select b.id, b.name, b.category, b.city, m.role
         from businesses b left join members m on m.business_id = b.id and m.user_id = $1
        order by b.name`, [userId]);
    return rows.map((r) => ({ id: r.id, name: r.name, category: r.category, city: r.city, role: r.role }));
  }

  /** The users of the demo data, for the dev sign-in. */
  async demoUsers(): Promise<DemoUser[]> {
    const rows = await this.query<{ id: string; display_name: string; memberships: { businessId: string; role: Role }[] | null }>(
      `select u.id, u.display_name,
              (select json_agg(json_build_object('businessId', m.business_id, 'role', m.role) order by m.business_id)
                 from members m where m.user_id = u.id) as memberships
         from users u order by u.id`, []);
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, memberships: r.memberships ?? [] }));
  }

  async userExists(userId: string): Promise<boolean> {
    return (await this.query('select 1 from users where id = $1', [userId])).length > 0;
  }
}
