// The conversation store: each conversation's small state, kept in PostgreSQL and
// cached in memory per input partition, with writes staged per partition and
// flushed in one database transaction just before the Kafka transaction that
// commits the same records' offsets (the runtime calls `flush` from its commit).
//
// Why this shape (Kafka Streams' state store, with PostgreSQL as the changelog):
//  - Durable before the offset moves: a record's state, its messages and the outputs
//    it produced are committed together in PostgreSQL before its offset is committed
//    in Kafka. A crash between the two redelivers the record; its state says it was
//    applied, and the stored outputs are produced again, identical (exactly once).
//  - One round of I/O per commit, not per event: reads hit the per-partition cache
//    (a partition has one owner at a time), writes are multi-row statements.
//  - Safe against a zombie owner: every state write checks the version it read. A
//    processor that lost the partition finds the version moved and retries, which
//    drops its cache and reads what the new owner wrote.
import type pg from 'pg';
import { databaseError } from '../db/errors.js';
import { statement } from '../db/statements.js';
import { DependencyUnavailableError } from '../pipeline/errors.js';

/** How many recent eventIds a conversation remembers, to spot a producer's duplicate. */
export const RECENT_EVENT_IDS = 16;
/** Conversations cached per process; the least recently used go first. */
export const DEFAULT_CACHE_SIZE = 20_000;

/** Where an inbound record came from: its partition and offset. */
export interface InboundPosition {
  partition: number;
  offset: string;
}

/** A conversation as read: its state (null when new or expired) and what was applied. */
export interface StoredConversation<S> {
  state: S | null;
  /** 0 when no row exists yet. */
  version: number;
  /** The last inbound record applied, or null. */
  position: InboundPosition | null;
  recentEventIds: readonly string[];
}

/** The rows of one exchange: the conversation, the user's message and the reply. */
export interface ExchangeRows {
  conversation: { id: string; chatType: string; userId: string; businessId: string | null; sentAt: Date };
  messages: { eventId: string; role: 'user' | 'assistant'; text: string; intent: string | null; agent: string | null; createdAt: Date }[];
}

/** What one processed record leaves behind. */
export interface StagedRecord<S> {
  conversationId: string;
  eventId: string;
  position: InboundPosition;
  state: S;
  /** The outputs as JSON, returned as they are when the event is processed again. */
  outputs: unknown;
  exchange: ExchangeRows;
}

interface Pending<S> {
  /** Per conversation: the state after the last staged record, and the version read before the first. */
  conversations: Map<string, { entry: StoredConversation<S>; baseVersion: number }>;
  records: StagedRecord<S>[];
}

export interface ConversationStoreOptions {
  /** Only names the server in errors. */
  databaseUrl: string;
  /** A state not written for this long is read as absent (the conversation starts afresh). */
  ttlSeconds: number;
  /** Named prepared statements (default true; src/db/statements.ts). */
  preparedStatements?: boolean;
  cacheSize?: number;
  now?: () => number;
}

/** True when the record at `position` was applied to a conversation already. */
export function isApplied(stored: StoredConversation<unknown>, eventId: string, position: InboundPosition): boolean {
  if (stored.recentEventIds.includes(eventId)) return true;
  const last = stored.position;
  return last !== null && last.partition === position.partition && BigInt(position.offset) <= BigInt(last.offset);
}

export class ConversationStore<S> {
  private readonly cache = new Map<string, { partition: number; entry: StoredConversation<S> }>();
  private readonly pending = new Map<number, Pending<S>>();
  private assigned = new Set<number>();
  private readonly cacheSize: number;
  private readonly now: () => number;

  constructor(private readonly pool: pg.Pool, private readonly options: ConversationStoreOptions) {
    this.cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.now = options.now ?? Date.now;
  }

  /** The conversation as the partition's next record must see it: staged, cached, or from the database. */
  async read(partition: number, conversationId: string): Promise<StoredConversation<S>> {
    const staged = this.pending.get(partition)?.conversations.get(conversationId);
    if (staged) return staged.entry;
    const cached = this.cache.get(conversationId);
    if (cached && cached.partition === partition) {
      // Most recently used last, so the first key is the one to evict.
      this.cache.delete(conversationId);
      this.cache.set(conversationId, cached);
      return cached.entry;
    }
    const entry = await this.load(conversationId);
    this.remember(partition, conversationId, entry);
    return entry;
  }

  /**
   * Reads the conversations of a fetched batch that are not cached yet in one round
   * trip (after a rebalance or a restart, a batch would otherwise read them one by one).
   */
  async prefetch(partition: number, conversationIds: readonly string[]): Promise<void> {
    const pending = this.pending.get(partition)?.conversations;
    const missing = [...new Set(conversationIds)].filter((id) => !pending?.has(id) && this.cache.get(id)?.partition !== partition);
    if (missing.length === 0) return;
    for (const [id, entry] of await this.loadMany(missing)) this.remember(partition, id, entry);
  }

  /** The outputs of an event applied earlier (staged on `partition`, or stored), or undefined. */
  async storedOutputs(partition: number, eventId: string): Promise<unknown | undefined> {
    // A duplicate within the same commit run: its first copy is staged, not yet written.
    const staged = this.pending.get(partition)?.records.find((r) => r.eventId === eventId);
    if (staged) return JSON.parse(JSON.stringify(staged.outputs));
    try {
      const { rows } = await this.pool.query<{ outputs: unknown }>(this.statement('select outputs from processed_events where event_id = $1', [eventId]));
      return rows[0]?.outputs;
    } catch (error) {
      throw databaseError(error, this.options.databaseUrl);
    }
  }

  /** Records a processed record's state and effects; nothing is written until `flush`. */
  stage(record: StagedRecord<S>): void {
    const { partition } = record.position;
    let pending = this.pending.get(partition);
    if (!pending) this.pending.set(partition, (pending = { conversations: new Map(), records: [] }));
    const before = pending.conversations.get(record.conversationId)?.entry
      ?? this.cache.get(record.conversationId)?.entry
      ?? { state: null, version: 0, position: null, recentEventIds: [] };
    const baseVersion = pending.conversations.get(record.conversationId)?.baseVersion ?? before.version;
    pending.conversations.set(record.conversationId, {
      baseVersion,
      entry: {
        state: record.state,
        version: before.version + 1,
        position: record.position,
        recentEventIds: [...before.recentEventIds.filter((id) => id !== record.eventId), record.eventId].slice(-RECENT_EVENT_IDS),
      },
    });
    pending.records.push(record);
  }

  /**
   * Writes the partition's staged records in one transaction. A version that moved
   * (another processor wrote the conversation) drops the partition's cache and
   * throws a retriable error: the runtime redoes the records from the database's view.
   */
  async flush(partition: number): Promise<void> {
    const pending = this.pending.get(partition);
    if (!pending || pending.records.length === 0) return;
    const client = await this.pool.connect().catch((error: unknown) => {
      throw databaseError(error, this.options.databaseUrl);
    });
    let broken = false;
    try {
      await client.query('BEGIN');
      const states = [...pending.conversations];
      // One statement for the whole run (one round trip): the rows go as one JSON
      // document; sibling CTEs see each other's rows at the end of the statement,
      // so the messages' foreign key finds its conversation.
      const { rows: [result] } = await client.query<{ written: string[] }>(this.statement(FLUSH_SQL, [JSON.stringify({
        conversations: conversationRows(pending.records),
        messages: pending.records.flatMap((r) => r.exchange.messages.map((m) => ({
          event_id: m.eventId, conversation_id: r.conversationId, role: m.role, text: m.text, intent: m.intent, agent: m.agent, created_at: m.createdAt,
        }))),
        processed: pending.records.map((r) => ({ event_id: r.eventId, conversation_id: r.conversationId, outputs: r.outputs })),
        states: states.map(([id, p]) => ({
          conversation_id: id, state: p.entry.state, version: p.entry.version, base_version: p.baseVersion,
          last_partition: p.entry.position!.partition, last_offset: p.entry.position!.offset, recent_event_ids: p.entry.recentEventIds,
        })),
      })]));
      const written = new Set(result?.written ?? []);
      if (written.size !== states.length) throw new StateConflictError(states.map(([id]) => id).filter((id) => !written.has(id)));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      this.rollback(partition);
      if (error instanceof StateConflictError) this.dropPartition(partition);
      throw error instanceof StateConflictError ? error : databaseError(error, this.options.databaseUrl);
    } finally {
      client.release(broken ? true : undefined);
    }
    this.pending.delete(partition);
    for (const [id, { entry }] of pending.conversations) this.remember(partition, id, entry);
  }

  /** Forgets what the partition staged (its records will be processed again). */
  rollback(partition: number): void {
    this.pending.delete(partition);
  }

  /**
   * The partitions this process owns now. A partition's cache is kept only while it
   * stays assigned: one that left and came back may have been written by another owner.
   */
  assign(partitions: readonly number[]): void {
    const next = new Set(partitions);
    for (const partition of new Set([...this.assigned, ...this.pending.keys()])) {
      if (!next.has(partition)) this.dropPartition(partition);
    }
    for (const partition of next) if (!this.assigned.has(partition)) this.dropPartition(partition);
    this.assigned = next;
  }

  /** Cached conversations (for tests and metrics). */
  get cachedConversations(): number {
    return this.cache.size;
  }

  private statement(sql: string, values: readonly unknown[]) {
    return statement(sql, values, this.options.preparedStatements ?? true);
  }

  private dropPartition(partition: number): void {
    this.pending.delete(partition);
    for (const [id, cached] of this.cache) if (cached.partition === partition) this.cache.delete(id);
  }

  private remember(partition: number, conversationId: string, entry: StoredConversation<S>): void {
    this.cache.delete(conversationId);
    this.cache.set(conversationId, { partition, entry });
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  private async load(conversationId: string): Promise<StoredConversation<S>> {
    return (await this.loadMany([conversationId])).get(conversationId)!;
  }

  /** The conversations as stored, in one query; absent ones as new. */
  private async loadMany(conversationIds: readonly string[]): Promise<Map<string, StoredConversation<S>>> {
    type Row = { conversation_id: string; state: S; version: string; last_partition: number; last_offset: string; recent_event_ids: string[]; updated_at: Date };
    let rows: Row[];
    try {
      ({ rows } = await this.pool.query<Row>(this.statement(
        `select conversation_id, state, version, last_partition, last_offset, recent_event_ids, updated_at
           from conversation_state where conversation_id = any($1::text[])`,
        [conversationIds],
      )));
    } catch (error) {
      throw databaseError(error, this.options.databaseUrl);
    }
    const found = new Map<string, StoredConversation<S>>();
    for (const id of conversationIds) found.set(id, { state: null, version: 0, position: null, recentEventIds: [] });
    for (const row of rows) {
      const expired = this.now() - row.updated_at.getTime() > this.options.ttlSeconds * 1000;
      found.set(row.conversation_id, {
        // An expired conversation starts afresh, but keeps its version (the lock) and what it applied.
        state: expired ? null : row.state,
        version: Number(row.version),
        position: { partition: row.last_partition, offset: row.last_offset },
        recentEventIds: row.recent_event_ids,
      });
    }
    return found;
  }
}

/** One conversation row per conversation of the run (the latest message time wins anyway). */
function conversationRows(records: readonly StagedRecord<unknown>[]) {
  const rows = new Map<string, { id: string; chat_type: string; user_id: string; business_id: string | null; sent_at: Date }>();
  for (const { exchange: { conversation: c } } of records) {
    rows.set(c.id, { id: c.id, chat_type: c.chatType, user_id: c.userId, business_id: c.businessId, sent_at: c.sentAt });
  }
  return [...rows.values()];
}

// The flush of a run, as one statement over one JSON parameter. A state is written
// only where its version is still the one read before the run (the optimistic lock:
// an update where the version matches, an insert where there was no row);
// `written` lists the conversations it wrote, which must be all of them.
const FLUSH_SQL = `
with doc as (select $1::jsonb as d),
conversation_rows as (
  insert into conversations (id, chat_type, user_id, business_id, created_at, last_message_at)
  select id, chat_type, user_id, business_id, sent_at, sent_at
    from doc, jsonb_to_recordset(d->'conversations') as r(id text, chat_type text, user_id text, business_id text, sent_at timestamptz)
  on conflict (id) do update set last_message_at = greatest(conversations.last_message_at, excluded.last_message_at)
  returning 1
),
message_rows as (
  insert into messages (event_id, conversation_id, role, text, intent, agent, created_at)
  select event_id, conversation_id, role, text, intent, agent, created_at
    from doc, jsonb_to_recordset(d->'messages') as r(event_id uuid, conversation_id text, role text, text text, intent text, agent text, created_at timestamptz)
  on conflict (event_id) do nothing
  returning 1
),
processed_rows as (
  insert into processed_events (event_id, conversation_id, outputs)
  select event_id, conversation_id, outputs
    from doc, jsonb_to_recordset(d->'processed') as r(event_id uuid, conversation_id text, outputs jsonb)
  on conflict (event_id) do nothing
  returning 1
),
state_input as (
  select * from doc, jsonb_to_recordset(d->'states')
    as r(conversation_id text, state jsonb, version bigint, base_version bigint, last_partition int, last_offset bigint, recent_event_ids jsonb)
),
updated_states as (
  update conversation_state s
     set state = i.state, version = i.version, last_partition = i.last_partition, last_offset = i.last_offset,
         recent_event_ids = i.recent_event_ids, updated_at = now()
    from state_input i
   where s.conversation_id = i.conversation_id and i.base_version > 0 and s.version = i.base_version
  returning s.conversation_id
),
inserted_states as (
  insert into conversation_state (conversation_id, state, version, last_partition, last_offset, recent_event_ids, updated_at)
  select conversation_id, state, version, last_partition, last_offset, recent_event_ids, now()
    from state_input where base_version = 0
  on conflict (conversation_id) do nothing
  returning conversation_id
),
state_rows as (select conversation_id from updated_states union all select conversation_id from inserted_states)
select coalesce((select array_agg(conversation_id) from state_rows), '{}') as written,
       (select count(*) from conversation_rows) + (select count(*) from message_rows) + (select count(*) from processed_rows) as rows`;

/**
 * A conversation's state was written by another processor since this one read it (a
 * rebalance moved the partition). Retriable: the records are redone from what is stored.
 */
export class StateConflictError extends DependencyUnavailableError {
  override name = 'StateConflictError';
  constructor(readonly conversationIds: readonly string[]) {
    super('conversation-state', `${conversationIds.length} conversation(s) were written by another processor (${conversationIds.slice(0, 3).join(', ')}); redoing from the stored state`);
  }
}
