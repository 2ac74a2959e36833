// The conversation store on a real PostgreSQL: state stays small however long the
// conversation, nothing of it lives in Redis, and the cached business rows follow a
// management action at once (PostgreSQL's NOTIFY), not after their TTL.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, OutboundEvent, Reply } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { loadConfig } from '../../src/config.js';
import { createActivities } from '../../src/workflows/activities.js';
import { createDedicatedProcessor } from '../../processors/dedicated/index.js';
import { watchBusinessChanges } from '../../processors/index.js';
import type { WorkflowStarter } from '../../processors/shared/deps.js';
import { MAX_TURNS } from '../../processors/shared/state.js';
import { ConversationStore, StateConflictError } from '../../src/state/conversation-store.js';
import { chatDeps, processInTurn } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitUntil } from '../support/pipeline.js';

const TABERNA = 'lis-taberna-do-largo';
const logger = createLogger('test', 'silent');

const recordingWorkflows = (): WorkflowStarter => ({
  startWorkflow: (async (_kind: string, _input: unknown, options: { workflowId?: string }) => ({ workflowId: options.workflowId ?? 'w', runId: 'r', alreadyStarted: false })) as never,
  cancelWorkflow: (async (workflowId: string) => ({ workflowId, runId: 'r', method: 'signal' })) as never,
});

function message(conversationId: string, text: string, userId = 'u-filipa'): ChatMessage {
  return {
    eventId: randomUUID(), conversationId, chatType: 'DEDICATED', userId, businessId: TABERNA, text,
    channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
  };
}

const replyText = (outputs: { value: unknown }[]) =>
  ((outputs.map((o) => o.value as OutboundEvent).find((v) => v.body?.type === 'Reply')?.body) as Reply | undefined)?.text;

/** The next Saturday at least two days ahead, as "D/M". */
function nextSaturday(): string {
  const d = new Date(Date.now() + 2 * 86_400_000);
  while (d.getUTCDay() !== 6) d.setUTCDate(d.getUTCDate() + 1);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
}

describe('conversation state', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ seed: true, label: 'conversation_state' });
  });
  afterAll(async () => db?.drop());

  it('stays under 64 KB after 1,000 messages in one conversation, and none of it is in Redis', async () => {
    const deps = chatDeps(db.pool, db.url, recordingWorkflows());
    const say = processInTurn(createDedicatedProcessor(deps), deps);
    const conversationId = `c-long-${randomUUID().slice(0, 8)}`;
    const texts = ["What's on the menu?", 'Do you take cards?', 'Are you open now?', 'a table for 3 please', 'thanks!'];
    const long = 'I would like to know more about everything you serve, '.repeat(70); // ≈ 3.9 KB
    for (let i = 0; i < 1000; i++) await say(message(conversationId, i % 97 === 0 ? long : texts[i % texts.length]!));

    const { rows } = await db.pool.query<{ bytes: number; turns: number; version: string }>(
      `select pg_column_size(state) + pg_column_size(recent_event_ids) as bytes, jsonb_array_length(state->'turns') as turns, version
         from conversation_state where conversation_id = $1`,
      [conversationId],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.version)).toBe(1000);
    expect(rows[0]!.turns).toBe(MAX_TURNS);
    expect(rows[0]!.bytes).toBeLessThan(64 * 1024);
    const raw = await db.pool.query<{ bytes: number }>('select octet_length(state::text) as bytes from conversation_state where conversation_id = $1', [conversationId]);
    expect(raw.rows[0]!.bytes).toBeLessThan(64 * 1024);
    // Every message is in the history table, the state holds only the recent turns.
    const stored = await db.pool.query<{ n: number }>("select count(*)::int as n from messages where conversation_id = $1 and role = 'user'", [conversationId]);
    expect(stored.rows[0]!.n).toBe(1000);

    const redis = new Redis(loadConfig(process.env).redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const [, keys] = await redis.scan('0', 'MATCH', `*${conversationId}*`, 'COUNT', 10_000);
      expect(keys).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses the write of a processor that lost the partition: the new owner\'s state stands', async () => {
    const conversationId = `c-zombie-${randomUUID().slice(0, 8)}`;
    const zombie = new ConversationStore<{ owner: string }>(db.pool, { databaseUrl: db.url, ttlSeconds: 3600 });
    const owner = new ConversationStore<{ owner: string }>(db.pool, { databaseUrl: db.url, ttlSeconds: 3600 });
    const record = (state: { owner: string }, offset: string) => ({
      conversationId, eventId: randomUUID(), position: { partition: 3, offset }, state, outputs: [],
      exchange: {
        conversation: { id: conversationId, chatType: 'DEDICATED', userId: 'u-filipa', businessId: TABERNA, sentAt: new Date() },
        messages: [],
      },
    });
    // Both read the conversation (none yet); the new owner writes first.
    await zombie.read(3, conversationId);
    await owner.read(3, conversationId);
    owner.stage(record({ owner: 'new' }, '10'));
    await owner.flush(3);
    zombie.stage(record({ owner: 'old' }, '9'));
    await expect(zombie.flush(3)).rejects.toBeInstanceOf(StateConflictError);
    // Twice in a row from an existing row too, then the zombie reads what stands.
    owner.stage(record({ owner: 'new again' }, '11'));
    await owner.flush(3);
    expect((await zombie.read(3, conversationId)).state).toEqual({ owner: 'new again' });
    const { rows } = await db.pool.query('select state, version::int as version from conversation_state where conversation_id = $1', [conversationId]);
    expect(rows).toEqual([{ state: { owner: 'new again' }, version: 2 }]);
  });

  it('forgets a conversation after X7_CHECKPOINT_TTL_SECONDS of silence, keeping its version lock', async () => {
    const ttlSeconds = loadConfig({ ...process.env, X7_CHECKPOINT_TTL_SECONDS: '60' }).checkpointTtlSeconds;
    const conversationId = `c-ttl-${randomUUID().slice(0, 8)}`;
    let now = Date.now();
    const writer = new ConversationStore<{ n: number }>(db.pool, { databaseUrl: db.url, ttlSeconds });
    writer.stage({
      conversationId, eventId: randomUUID(), position: { partition: 2, offset: '0' }, state: { n: 1 }, outputs: [],
      exchange: { conversation: { id: conversationId, chatType: 'DEDICATED', userId: 'u-filipa', businessId: TABERNA, sentAt: new Date() }, messages: [] },
    });
    await writer.flush(2);
    const reader = (at: number) => new ConversationStore<{ n: number }>(db.pool, { databaseUrl: db.url, ttlSeconds, now: () => at });
    expect((await reader(now + 59_000).read(2, conversationId)).state).toEqual({ n: 1 });
    now += 61_000;
    expect(await reader(now).read(2, conversationId)).toMatchObject({ state: null, version: 1 });
  });

  it('reads a fetched batch\'s conversations in one query, new ones included', async () => {
    const ids = [0, 1, 2].map((i) => `c-batch-${i}-${randomUUID().slice(0, 8)}`);
    const writer = new ConversationStore<{ n: number }>(db.pool, { databaseUrl: db.url, ttlSeconds: 3600 });
    ids.forEach((conversationId, i) => writer.stage({
      conversationId, eventId: randomUUID(), position: { partition: 5, offset: String(i) }, state: { n: i }, outputs: [],
      exchange: { conversation: { id: conversationId, chatType: 'DEDICATED', userId: 'u-filipa', businessId: TABERNA, sentAt: new Date() }, messages: [] },
    }));
    await writer.flush(5);

    // A new owner of partition 5: everything it reads goes through this counting pool.
    let queries = 0;
    const counting = new Proxy(db.pool, {
      get: (target, key) => (key === 'query' ? (...args: unknown[]) => { queries += 1; return (target.query as (...a: unknown[]) => unknown)(...args); } : Reflect.get(target, key)),
    });
    const reader = new ConversationStore<{ n: number }>(counting, { databaseUrl: db.url, ttlSeconds: 3600 });
    const fresh = `c-batch-new-${randomUUID().slice(0, 8)}`;
    await reader.prefetch(5, [...ids, fresh, ids[0]!]);
    expect(queries).toBe(1);
    expect(await Promise.all(ids.map(async (id) => (await reader.read(5, id)).state))).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(await reader.read(5, fresh)).toEqual({ state: null, version: 0, position: null, recentEventIds: [] });
    expect(queries).toBe(1);
    // Already cached: nothing to read.
    await reader.prefetch(5, ids);
    expect(queries).toBe(1);
  });

  it.each([true, false])('runs its queries as prepared statements only when X7_PG_PREPARED_STATEMENTS says so (%s)', async (prepared) => {
    // One connection, so the session's prepared statements are the processor's.
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const deps = chatDeps(pool, db.url, recordingWorkflows(), undefined, { preparedStatements: prepared });
      const say = processInTurn(createDedicatedProcessor(deps), deps);
      const result = await say(message(`c-${randomUUID().slice(0, 8)}`, "What's on the menu?"));
      expect(replyText(result.outputs)).toMatch(/menu at Taberna do Largo/);
      const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from pg_prepared_statements where name like 'x7_%'");
      if (prepared) expect(rows[0]!.n).toBeGreaterThan(0);
      else expect(rows[0]!.n).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('sees a management action on the very next message: the cached business is dropped by NOTIFY', async () => {
    const deps = chatDeps(db.pool, db.url, recordingWorkflows());
    const listener = watchBusinessChanges(deps.businesses, { databaseUrl: db.url }, logger);
    try {
      await waitUntil(() => listener.listening, 10_000, 'the LISTEN connection');
      const say = processInTurn(createDedicatedProcessor(deps), deps);
      const when = `${nextSaturday()} at 1pm`;
      const before = await say(message(`c-${randomUUID().slice(0, 8)}`, `table for 2 on ${when}`));
      expect(replyText(before.outputs)).toMatch(/^Booked a table for 2 on Saturday/);
      expect((await deps.businesses.business(TABERNA))?.acceptingBookings).toBe(true);

      // The owner's confirmed "pause bookings", as the worker's activity runs it.
      const activities = createActivities({ pool: db.pool, codec: { encode: async () => Buffer.alloc(0) }, producer: { sendBatch: async () => [] }, config: { topicPrefix: '' }, logger });
      const result = await activities.runManagementAction({
        workflowId: `mgmt-${randomUUID()}`, action: 'pause_bookings', businessId: TABERNA, userId: 'u-ana', params: {},
        conversationId: `c-dash-${randomUUID().slice(0, 8)}`, causationId: null,
      });
      expect(result.summary).toBe('Bookings paused');

      // Well inside the 30 s TTL: only the notification can have dropped the cached row.
      await waitUntil(async () => (await deps.businesses.business(TABERNA))?.acceptingBookings === false, 5_000, 'the cached business to follow the change');
      const after = await say(message(`c-${randomUUID().slice(0, 8)}`, `table for 2 on ${when}`));
      expect(replyText(after.outputs)).toMatch(/^Sorry, Taberna do Largo isn't taking bookings here at the moment\./);
    } finally {
      await db.pool.query('update businesses set accepting_bookings = true where id = $1', [TABERNA]);
      await listener.close();
    }
  });
});
