// Announcements from the dashboard to customers, through the shipped processors over a
// seeded database of the test's own: the owner posts one in the DASHBOARD chat and says
// "yes"; the management action workflow runs on the Temporal dev server (task queue of
// the test's own, in-process worker) and inserts it; PostgreSQL's NOTIFY drops the
// processors' cached business row; the next DEDICATED welcome, hours and menu replies
// say it, and GLOBAL's cards of that business carry it, until it expires by the
// processors' clock.
//
// The processors' clock is the test's: frozen while the announcement is posted, so the
// cached row cannot lapse by its TTL and only the notification can make it seen; then
// moved to just before and just after the announcement's end.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardProcessor } from '../../processors/dashboard/index.js';
import { createDedicatedProcessor } from '../../processors/dedicated/index.js';
import { createGlobalProcessor } from '../../processors/global/index.js';
import { watchBusinessChanges } from '../../processors/index.js';
import type { ProcessorDeps } from '../../processors/shared/deps.js';
import type { Listener } from '../../src/db/notifications.js';
import type { AnalyticsEvent, ChatType, OutboundEvent, Reply } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import type { ChatProcessor } from '../../src/pipeline/processor.js';
import { chatDeps, processInTurn } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, waitUntil } from '../support/pipeline.js';
import { startTemporalHarness, type TemporalHarness } from '../support/temporal-harness.js';

const logger = createLogger('test', 'silent');
const TABERNA = 'lis-taberna-do-largo'; // u-ana is its owner
const CAFE = 'lis-cafe-garrett';

describe('announcements reach customers until they expire', () => {
  let db: TestDatabase;
  let temporal: TemporalHarness;
  let deps: ProcessorDeps;
  let listener: Listener;
  let nowMs = Date.now();
  const turns = new Map<ChatType, ReturnType<typeof processInTurn>>();

  beforeAll(async () => {
    const prefix = uniquePrefix('announcements');
    db = await createTestDatabase({ seed: true, label: 'announcements' });
    const config = isolatedConfig(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: `${prefix}workflows` });
    // The worker's activities publish the workflow's updates to the test's own topics.
    await prepareNamespace(config);
    temporal = await startTemporalHarness(config);
    deps = chatDeps(db.pool, db.url, temporal.manager, { now: () => nowMs });
    listener = watchBusinessChanges(deps.businesses, { databaseUrl: db.url }, logger);
    await waitUntil(() => listener.listening, 10_000, 'the LISTEN connection');
    const processors: [ChatType, ChatProcessor][] = [
      ['DASHBOARD', createDashboardProcessor(deps)], ['DEDICATED', createDedicatedProcessor(deps)], ['GLOBAL', createGlobalProcessor(deps)],
    ];
    processors.forEach(([chatType, processor], partition) => turns.set(chatType, processInTurn(processor, deps, { partition })));
  });

  afterAll(async () => {
    await listener?.close();
    await temporal?.stop();
    await db?.drop();
  });

  /** A conversation of its own in one chat type, at the processors' clock. */
  function chat(chatType: ChatType, userId: string, businessId: string | null) {
    const conversationId = `c-${randomUUID().slice(0, 8)}`;
    return async (text: string) => {
      const message = {
        eventId: randomUUID(), conversationId, chatType, userId, businessId, text,
        channel: 'WEB' as const, locale: 'en-GB', location: null, sentAt: new Date(nowMs), clientMessageId: null, senderRole: null,
      };
      const { outputs } = await turns.get(chatType)!(message);
      const reply = outputs.map((o) => (o.value as OutboundEvent).body).find((b): b is Reply => b?.type === 'Reply');
      const fact = outputs.find((o) => o.topic === 'chat.analytics')!.value as AnalyticsEvent;
      return { message, reply: reply!, fact };
    };
  }

  const cardOf = (reply: Reply, businessId: string) => reply.cards.find((c) => c.businessId === businessId);

  it('the owner posts one from the dashboard; welcome, hours, menu and GLOBAL cards show it; once expired it is gone', async () => {
    nowMs = Date.now();
    // The demo data's own announcement goes first, so the replies show exactly the one the owner posts.
    await db.pool.query('delete from announcements where business_id = $1', [TABERNA]);
    const customer = chat('DEDICATED', 'u-diego', TABERNA);
    const explorer = chat('GLOBAL', 'u-eva', null);
    const LINE = 'Announcement: Fado night this Thursday from 21:00';

    // Before: nothing announced, and the business row is now cached.
    expect((await customer('hi')).reply.text).not.toMatch(/Announcement/);
    expect(cardOf((await explorer('tell me about Taberna do Largo')).reply, TABERNA)?.fields).not.toHaveProperty('Announcement');

    const owner = chat('DASHBOARD', 'u-ana', TABERNA);
    const asked = await owner('announce: Fado night this Thursday from 21:00');
    expect(asked.fact.outcome).toBe('CONFIRMATION_REQUESTED');
    expect(asked.reply.cards[0]?.fields).toMatchObject({ Text: 'Fado night this Thursday from 21:00', 'Shown to customers for': '7 days' });
    const yes = await owner('yes');
    expect(yes.fact.outcome).toBe('WORKFLOW_STARTED');
    expect(await temporal.client.workflow.getHandle(`management-${yes.message.eventId}`).result()).toMatchObject({ summary: 'Announcement published' });
    const { rows: [posted] } = await db.pool.query<{ expires_at: Date; lifetime_days: number }>(
      `select expires_at, extract(epoch from expires_at - created_at) / 86400 as lifetime_days from announcements where business_id = $1`, [TABERNA],
    );
    expect(Number(posted!.lifetime_days)).toBe(7);

    // The clock has not moved, so the cached row cannot have lapsed: only NOTIFY can bring it in.
    await waitUntil(async () => (await deps.businesses.business(TABERNA))!.announcements.length === 1, 10_000, 'the cached business to follow the insert');
    const hello = await customer('hi');
    expect(hello.reply.text).toMatch(/^Hello! This is Taberna do Largo's assistant\./);
    expect(hello.reply.text.split('\n').at(-1)).toBe(LINE);
    const hours = await customer('what are your hours?');
    expect(hours.fact.agent).toBe('hours');
    expect(hours.reply.text).toMatch(/Opening hours: /);
    expect(hours.reply.text.split('\n').at(-1)).toBe(LINE);
    const menu = await customer("what's on the menu?");
    expect(menu.reply.text).toMatch(/^Here's the menu at Taberna do Largo:/);
    expect(menu.reply.text.split('\n').at(-1)).toBe(LINE);
    // Another business's customers hear nothing of it.
    expect((await chat('DEDICATED', 'u-diego', CAFE)('hi')).reply.text).not.toMatch(/Announcement/);

    const info = await explorer('tell me about Taberna do Largo');
    expect(cardOf(info.reply, TABERNA)?.fields.Announcement).toBe('Fado night this Thursday from 21:00');
    expect(info.reply.text.split('\n')).toContain(LINE);
    const compared = await explorer('compare Taberna do Largo and Tasca da Rosa');
    expect(cardOf(compared.reply, TABERNA)?.fields.Announcement).toBe('Fado night this Thursday from 21:00');
    // Compared cards keep the same fields, so a client can lay them side by side.
    expect(cardOf(compared.reply, 'lis-tasca-da-rosa')?.fields.Announcement).toBe('None');

    // Just before its end it still shows (the row is read again: a week has passed) …
    nowMs = posted!.expires_at.getTime() - 5_000;
    expect((await customer('hi')).reply.text.split('\n').at(-1)).toBe(LINE);
    // … and just after, from that same cached row, it does not: the end is checked when the reply is built.
    nowMs = posted!.expires_at.getTime() + 1;
    const later = await customer('hi');
    expect(later.reply.text).toMatch(/^Hello! This is Taberna do Largo's assistant\./);
    expect(later.reply.text).not.toMatch(/Announcement/);
    expect((await customer('what are your hours?')).reply.text).not.toMatch(/Announcement/);
    const laterInfo = await explorer('tell me about Taberna do Largo');
    expect(cardOf(laterInfo.reply, TABERNA)?.fields).not.toHaveProperty('Announcement');
    expect(laterInfo.reply.text).not.toMatch(/Announcement/);
  });

  it('one an operator removes with SQL is gone from the next reply', async () => {
    nowMs = Date.now();
    const customer = chat('DEDICATED', 'u-filipa', CAFE);
    const { rows: [row] } = await db.pool.query<{ id: string }>(
      `insert into announcements (business_id, text, created_by, expires_at) values ($1, 'Pastéis de nata fresh at 8:00', 'u-ana', now() + interval '1 day') returning id`,
      [CAFE],
    );
    await waitUntil(async () => (await deps.businesses.business(CAFE))!.announcements.length === 1, 10_000, 'the cached business to follow the insert');
    expect((await customer('hi')).reply.text.split('\n').at(-1)).toBe('Announcement: Pastéis de nata fresh at 8:00');

    await db.pool.query('delete from announcements where id = $1', [row!.id]);
    await waitUntil(async () => (await deps.businesses.business(CAFE))!.announcements.length === 0, 10_000, 'the cached business to follow the delete');
    expect((await customer('hi')).reply.text).not.toMatch(/Announcement/);
  });
});
