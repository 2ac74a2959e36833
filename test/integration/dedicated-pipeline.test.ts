// DEDICATED conversations through the real pipeline: chat.inbound → processor
// runtime (the shipped processors over a seeded Postgres of the test's own, reached
// through a proxy the test can cut, and Temporal with an in-process worker) →
// chat.outbound / chat.analytics.
// Assertions are about what a customer would see: the replies, turn by turn, and
// the booking rows and workflow updates behind them.
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, OutboundEvent, Reply } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { parseTraceparent, traceparentFromHeaders } from '../../src/observability/trace.js';
import { zonedDateTimeToInstant } from '../../src/understanding/index.js';
import { systemClock, type CommitParticipant } from '../../src/pipeline/processor.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../../src/runtime/processor-runtime.js';
import { WorkflowManager } from '../../src/workflows/manager.js';
import { createX7Worker, workflowsPath, type X7Worker } from '../../src/workflows/worker.js';
import { createProcessors, type ProcessorDeps } from '../../processors/index.js';
import { chatDeps } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, sendChatMessages, sleep, TopicReader, uncommitted, waitUntil } from '../support/pipeline.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { quietTemporalLogger, terminateRunningWorkflows } from '../support/workflows.js';

const TABERNA = 'lis-taberna-do-largo'; // restaurant, Tue–Sun 12:00–15:00 and 19:00–23:00, Lisbon
const STUDIO = 'lis-studio-cabelo-chiado'; // salon, Tue–Fri 09:30–19:30, Sat 09:00–18:00

/** The next date (Lisbon) with ISO weekday `iso`, at least two days ahead, as "D/M" and YYYY-MM-DD. */
function upcoming(iso: number): { dm: string; date: string } {
  const d = new Date(Date.now() + 2 * 86_400_000);
  while (((d.getUTCDay() + 6) % 7) + 1 !== iso) d.setUTCDate(d.getUTCDate() + 1);
  return { dm: `${d.getUTCDate()}/${d.getUTCMonth() + 1}`, date: d.toISOString().slice(0, 10) };
}

/** The instant of a wall-clock time in Lisbon. */
function lisbon(date: string, hour: number, minute: number): Date {
  const [y, m, d] = date.split('-').map(Number);
  return zonedDateTimeToInstant(y!, m!, d!, hour, minute, 'Europe/Lisbon');
}

describe('DEDICATED conversations through the pipeline', () => {
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let worker: X7Worker;
  let workerRunning: Promise<void>;
  let manager: WorkflowManager;
  let postgres: TcpProxy;
  let pool: pg.Pool;
  let deps: ProcessorDeps;
  let runtime: ProcessorRuntime;
  let outbound: TopicReader;
  let analytics: TopicReader;
  let dlq: TopicReader;
  let workflowEvents: TopicReader;
  const decoded = new Map<string, OutboundEvent>();
  const facts = new Map<string, AnalyticsEvent>();

  /**
   * A runtime over fresh processors (a new conversation store: nothing cached), on a
   * pool through the proxy; `extra` commit participants run after the store's flush.
   */
  async function startRuntime(extra: CommitParticipant[] = []): Promise<ProcessorRuntime> {
    deps = chatDeps(pool, config.databaseUrl, manager, systemClock);
    const processors = createProcessors(deps);
    const created = createProcessorRuntime({ config, processors, logger: createLogger('test-processor', 'silent'), participants: [deps.store, ...extra] });
    await created.start();
    return created;
  }

  async function outboundOf(conversationId: string): Promise<OutboundEvent[]> {
    const events: OutboundEvent[] = [];
    for (const r of outbound.records.filter((x) => x.key?.toString() === conversationId)) {
      const id = `${r.partition}:${r.offset}`;
      if (!decoded.has(id)) decoded.set(id, (await codec.decode('chat.outbound', r.value)).value);
      events.push(decoded.get(id)!);
    }
    return events;
  }

  async function factOf(eventId: string): Promise<AnalyticsEvent | undefined> {
    for (const r of analytics.records) {
      const id = `${r.partition}:${r.offset}`;
      if (!facts.has(id)) facts.set(id, (await codec.decode('chat.analytics', r.value)).value);
    }
    return [...facts.values()].find((f) => f.inboundEventId === eventId);
  }

  function message(conversationId: string, businessId: string, text: string, eventId = randomUUID()): ChatMessage {
    return {
      eventId, conversationId, chatType: 'DEDICATED', userId: 'u-filipa', businessId, text,
      channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
    };
  }

  async function replyTo(m: ChatMessage, timeoutMs = 45_000): Promise<{ reply: Reply; fact: AnalyticsEvent }> {
    let reply: Reply | undefined;
    await waitUntil(async () => {
      const event = (await outboundOf(m.conversationId)).find((e) => e.causationId === m.eventId && e.body.type === 'Reply');
      reply = event?.body as Reply | undefined;
      return reply !== undefined && (await factOf(m.eventId)) !== undefined;
    }, timeoutMs, `the reply to "${m.text}"`);
    return { reply: reply!, fact: (await factOf(m.eventId))! };
  }

  /** A customer in one conversation: says something and waits for the answer. */
  function customer(businessId: string) {
    const conversationId = `c-${randomUUID().slice(0, 12)}`;
    return {
      conversationId,
      async say(text: string) {
        const m = message(conversationId, businessId, text);
        await sendChatMessages(config, codec, [m]);
        return { ...(await replyTo(m)), message: m };
      },
    };
  }

  async function bookingsOf(conversationId: string) {
    const { rows } = await db.pool.query<{ id: string; party_size: number; status: string; starts_at: Date; workflow_id: string; offering: string | null }>(
      `select b.id, b.party_size, b.status, b.starts_at, b.workflow_id, o.name as offering
         from bookings b left join offerings o on o.id = b.offering_id
        where b.conversation_id = $1 order by b.created_at`,
      [conversationId],
    );
    return rows;
  }

  async function workflowStatuses(conversationId: string, workflowId: string): Promise<string[]> {
    return (await outboundOf(conversationId)).flatMap((e) => (e.body.type === 'WorkflowUpdate' && e.body.workflowId === workflowId ? [e.body.status] : []));
  }

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    } catch {
      // installed already by another test file in this process
    }
    const prefix = uniquePrefix('dedicated');
    db = await createTestDatabase({ seed: true, label: 'dedicated_pipeline' });
    const target = new URL(db.url);
    postgres = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    config = isolatedConfig(prefix, {
      DATABASE_URL: postgres.rewrite(db.url),
      X7_TASK_QUEUE: `${prefix}workflows`,
      X7_RETRY_INITIAL_MS: '100',
      X7_RETRY_MAX_MS: '1000',
    });
    await prepareNamespace(config);
    codec = createCodec(config);
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietTemporalLogger });
    worker = await createX7Worker({ config, logger: createLogger('test-worker', 'fatal'), workflowBundle, shutdownGraceTime: '2 seconds' });
    workerRunning = worker.run();
    manager = await WorkflowManager.connect({ config });
    [outbound, analytics, dlq, workflowEvents] = await Promise.all([
      TopicReader.open(config, 'chat.outbound'), TopicReader.open(config, 'chat.analytics'), TopicReader.open(config, 'chat.inbound.dlq'),
      TopicReader.open(config, 'chat.workflows'),
    ]);
    pool = new pg.Pool({ connectionString: config.databaseUrl, max: 5, connectionTimeoutMillis: 2_000 });
    pool.on('error', () => undefined);
    runtime = await startRuntime();
  });

  afterAll(async () => {
    await runtime?.stop();
    await pool?.end();
    if (config) {
      // Leave nothing running on the dev server.
      const connection = await Connection.connect({ address: config.temporalAddress });
      const client = new Client({ connection, namespace: config.temporalNamespace });
      await terminateRunningWorkflows(client, config.taskQueue);
      await connection.close();
    }
    worker?.shutdown();
    await workerRunning;
    await manager?.close();
    await Promise.all([outbound?.close(), analytics?.close(), dlq?.close(), workflowEvents?.close()]);
    await postgres?.stop();
    await db?.drop();
  });

  it('answers a menu question at a restaurant from its offerings, with prices and cards', async () => {
    const { reply, fact } = await customer(TABERNA).say("What's on the menu?");
    expect(reply.agent).toBe('menu');
    expect(reply.text).toContain("Here's the menu at Taberna do Largo");
    expect(reply.text).toContain('Bacalhau à Brás: €14.50');
    expect(reply.cards.map((c) => c.title)).toContain('Pica-pau');
    expect(fact).toMatchObject({ intent: 'menu_or_services', agent: 'menu', outcome: 'ANSWERED', chatType: 'DEDICATED' });
    expect(Object.keys(fact.stageLatenciesMs).sort()).toEqual(['agent', 'conversation', 'decode', 'respond', 'validate', 'workflow']);
  });

  it('answers FAQs and opening hours, and hands off to a person', async () => {
    const c = customer(TABERNA);
    const faq = await c.say('Do you take cards?');
    expect(faq.reply).toMatchObject({ agent: 'faq', text: expect.stringContaining('MB Way') });

    const hours = await c.say('Are you open now?');
    const { rows } = await db.pool.query<{ open: boolean }>('select business_open_at($1, now()) as open', [TABERNA]);
    expect(hours.reply.agent).toBe('hours');
    expect(hours.reply.text).toMatch(rows[0]!.open ? /^Yes, we're open right now, until \d\d:\d\d\./ : /^No, we're closed right now\./);
    expect(hours.reply.text).toContain('Opening hours: Mon closed · Tue–Sun 12:00–15:00 and 19:00–23:00.');

    const handoff = await c.say('I want to speak to a person');
    expect(handoff.reply.text).toContain("I'll pass you to the team at Taberna do Largo");
    expect(handoff.fact).toMatchObject({ intent: 'human_handoff', agent: 'handoff', outcome: 'HANDED_OFF' });

    // Everything said is in the messages table, once.
    const stored = await db.pool.query('select role from messages where conversation_id = $1', [c.conversationId]);
    expect(stored.rowCount).toBe(6);
  });

  it('books a table in three turns and changes it with "make it 8"', async () => {
    const c = customer(TABERNA);
    const friday = upcoming(5);

    const t1 = await c.say('Can I get a table for 4?');
    expect(t1.reply.text).toBe('Happy to book a table for 4. What day and time would you like?');
    expect(t1.fact).toMatchObject({ intent: 'book', agent: 'reservations', outcome: 'ANSWERED' });

    const t2 = await c.say(`${friday.dm} at 8pm`);
    expect(t2.reply.text).toMatch(/^Booked a table for 4 on Friday \d+ \w+ at 20:00\. It's pending confirmation/);
    expect(t2.fact).toMatchObject({ intent: 'provide_details', outcome: 'WORKFLOW_STARTED', agentReason: expect.stringContaining("continues reservations's table booking") });
    expect(t2.reply.cards[0]).toMatchObject({ kind: 'BOOKING', title: 'Taberna do Largo', fields: { People: '4', Time: '20:00', Status: 'Pending confirmation' } });
    const [first] = await bookingsOf(c.conversationId);
    expect(first).toMatchObject({ party_size: 4, starts_at: lisbon(friday.date, 20, 0) });
    // The reservation workflow confirms it and says so in the conversation.
    await waitUntil(async () => (await workflowStatuses(c.conversationId, first!.workflow_id)).includes('CONFIRMED'), 30_000, 'CONFIRMED');
    expect((await bookingsOf(c.conversationId))[0]!.status).toBe('confirmed');

    const t3 = await c.say('make it 8');
    expect(t3.reply.text).toMatch(/^Done: your booking is now a table for 8 on Friday \d+ \w+ at 20:00\./);
    expect(t3.fact).toMatchObject({ intent: 'modify_booking', outcome: 'WORKFLOW_STARTED' });
    await waitUntil(async () => (await workflowStatuses(c.conversationId, first!.workflow_id)).includes('CANCELLED'), 30_000, 'old booking CANCELLED');
    const rows = await bookingsOf(c.conversationId);
    expect(rows.map((r) => [r.party_size, r.status])).toEqual([[4, 'cancelled'], [8, expect.stringMatching(/pending|confirmed/)]]);
    await waitUntil(async () => (await workflowStatuses(c.conversationId, rows[1]!.workflow_id)).includes('CONFIRMED'), 30_000, 'new booking CONFIRMED');
  });

  it('says when the restaurant is closed, with its hours and times that work', async () => {
    const c = customer(TABERNA);
    const wednesday = upcoming(3);
    const t1 = await c.say(`table for 2 on ${wednesday.dm} at 5pm`);
    expect(t1.reply.text).toMatch(/^Sorry, we're closed at 17:00 on Wednesday \d+ \w+\. Our hours that day: 12:00–15:00 and 19:00–23:00\. I can book 14:30, 19:00 or 19:30\.$/);
    expect(t1.reply.suggestions).toEqual(['14:30', '19:00', '19:30']);
    expect(await bookingsOf(c.conversationId)).toEqual([]);
    const t2 = await c.say('19:00');
    expect(t2.reply.text).toMatch(/^Booked a table for 2 on Wednesday \d+ \w+ at 19:00\./);
  });

  it('books a salon appointment for a named service', async () => {
    const c = customer(STUDIO);
    const thursday = upcoming(4);
    const t1 = await c.say(`I'd like to book a balayage on ${thursday.dm} at 10am`);
    expect(t1.reply.text).toMatch(/^Booked Balayage \(180 min, €140\) on Thursday \d+ \w+ at 10:00\./);
    expect(t1.reply.cards[0]).toMatchObject({ kind: 'BOOKING', subtitle: 'Balayage', fields: { Service: 'Balayage', People: '1', Price: '€140' } });
    const [row] = await bookingsOf(c.conversationId);
    expect(row).toMatchObject({ offering: 'Balayage', party_size: 1, starts_at: lisbon(thursday.date, 10, 0) });
  });

  it('carries the trace of an inbound event to its outbound, analytics and workflow records', async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const inboundSpan = 'a1b2c3d4e5f60718';
    const conversationId = `c-${randomUUID().slice(0, 12)}`;
    const m = message(conversationId, TABERNA, `table for 2 on ${upcoming(3).dm} at 8pm`);
    await sendChatMessages(config, codec, [m], { traceparent: `00-${traceId}-${inboundSpan}-01` });
    const { reply, fact } = await replyTo(m);
    expect(fact.outcome).toBe('WORKFLOW_STARTED');
    const [booking] = await bookingsOf(conversationId);
    await waitUntil(async () => (await workflowStatuses(conversationId, booking!.workflow_id)).includes('CONFIRMED'), 30_000, 'CONFIRMED');
    await waitUntil(() => workflowEvents.records.filter((r) => r.key?.toString() === booking!.workflow_id).length >= 2, 30_000, 'chat.workflows records');

    const traceOf = (r: { headers: Parameters<typeof traceparentFromHeaders>[0] }) => parseTraceparent(traceparentFromHeaders(r.headers));
    // The processor's own outputs: the reply and the analytics fact, in one child span of the inbound one.
    let replyRecord: (typeof outbound.records)[number] | undefined;
    for (const r of outbound.records.filter((x) => x.key?.toString() === conversationId)) {
      const event = (await codec.decode('chat.outbound', r.value)).value;
      if (event.causationId === m.eventId && event.body.type === 'Reply') replyRecord = r;
    }
    expect(replyRecord).toBeDefined();
    expect(reply.text).toMatch(/^Booked a table for 2/);
    const factRecord = (await Promise.all(analytics.records.map(async (r) => ({ r, f: (await codec.decode('chat.analytics', r.value)).value }))))
      .find(({ f }) => f.inboundEventId === m.eventId)!.r;
    const processorSpan = traceOf(replyRecord!);
    expect(processorSpan).toMatchObject({ traceId, flags: 1 });
    expect(processorSpan!.spanId).not.toBe(inboundSpan);
    expect(traceOf(factRecord)).toEqual(processorSpan);

    // The workflow it started: its chat.workflows records and the WorkflowUpdates on chat.outbound.
    const workflowRecords = workflowEvents.records.filter((r) => r.key?.toString() === booking!.workflow_id);
    const updateRecords = [];
    for (const r of outbound.records.filter((x) => x.key?.toString() === conversationId)) {
      const event = (await codec.decode('chat.outbound', r.value)).value;
      if (event.body.type === 'WorkflowUpdate' && event.body.workflowId === booking!.workflow_id) updateRecords.push(r);
    }
    expect(updateRecords.length).toBeGreaterThanOrEqual(2);
    for (const r of [...workflowRecords, ...updateRecords]) {
      const span = traceOf(r);
      expect(span?.traceId).toBe(traceId);
      expect(span?.spanId).not.toBe(processorSpan!.spanId);
    }
  });

  it('replays the stored outputs once when it crashes between the state write and the Kafka commit', async () => {
    // A commit participant after the store: the first time it runs, the store's
    // transaction has committed and the Kafka transaction has not begun, as when the
    // process dies right there. The records are then redone from their offsets.
    let crashes = 0;
    const crashOnce: CommitParticipant = {
      async flush() {
        if (crashes++ === 0) throw new Error('crash between the state write and the Kafka commit');
      },
      rollback: () => undefined,
      assign: () => undefined,
    };
    await runtime.stop();
    runtime = await startRuntime([crashOnce]);
    try {
      const conversationId = `c-${randomUUID().slice(0, 12)}`;
      const m = message(conversationId, TABERNA, `table for 2 on ${upcoming(6).dm} at 1pm`);
      await sendChatMessages(config, codec, [m]);
      const first = await replyTo(m);
      expect(crashes).toBeGreaterThanOrEqual(2);
      expect(first.reply.text).toMatch(/^Booked a table for 2 on Saturday/);
      await sleep(1500);
      // One reply on chat.outbound (the aborted attempt produced nothing), one booking, one workflow.
      const replies = (await outboundOf(conversationId)).filter((e) => e.body.type === 'Reply');
      expect(replies).toHaveLength(1);
      const rows = await bookingsOf(conversationId);
      expect(rows).toHaveLength(1);
      const { rows: stored } = await db.pool.query('select count(*)::int as n from processed_events where event_id = $1', [m.eventId]);
      expect(stored[0].n).toBe(1);

      // The same event again from its producer (a retry, at a new offset): the stored outputs, as they were.
      await sendChatMessages(config, codec, [m]);
      await waitUntil(async () => (await outboundOf(conversationId)).filter((e) => e.body.type === 'Reply').length === 2, 30_000, 'second reply');
      const again = (await outboundOf(conversationId)).filter((e) => e.body.type === 'Reply');
      expect(new Set(again.map((r) => r.eventId)).size).toBe(1);
      expect(again.every((r) => (r.body as Reply).text === first.reply.text)).toBe(true);
      expect(await bookingsOf(conversationId)).toHaveLength(1);
      await waitUntil(async () => (await workflowStatuses(conversationId, rows[0]!.workflow_id)).includes('CONFIRMED'), 30_000, 'CONFIRMED');
      const runs = await db.pool.query('select workflow_id, run_id from workflow_runs where conversation_id = $1', [conversationId]);
      expect(runs.rows).toEqual([{ workflow_id: rows[0]!.workflow_id, run_id: expect.any(String) }]);
      expect(await workflowStatuses(conversationId, rows[0]!.workflow_id)).toEqual(['STARTED', 'CONFIRMED']);
    } finally {
      await runtime.stop();
      runtime = await startRuntime();
    }
  });

  it('continues a booking where it was after the processor restarts', async () => {
    const c = customer(TABERNA);
    const t1 = await c.say('a table for 3 please');
    expect(t1.reply.text).toBe('Happy to book a table for 3. What day and time would you like?');

    // A new processor: nothing cached, the state comes from PostgreSQL.
    await runtime.stop();
    runtime = await startRuntime();

    const t2 = await c.say(`${upcoming(7).dm} at 7:30pm`);
    expect(t2.reply.text).toMatch(/^Booked a table for 3 on Sunday \d+ \w+ at 19:30\./);
  });

  it('pauses while PostgreSQL is unreachable and resumes with nothing lost', async () => {
    const conversationId = `c-${randomUUID().slice(0, 12)}`;
    const dlqBefore = dlq.records.length;
    await postgres.cut();
    const turns = [message(conversationId, TABERNA, 'table for 5'), message(conversationId, TABERNA, `${upcoming(4).dm} at 9pm`)];
    await sendChatMessages(config, codec, turns);
    await sleep(4000);
    expect(await outboundOf(conversationId)).toEqual([]);
    expect(Object.keys(await uncommitted(config)).length).toBeGreaterThan(0);

    await postgres.restore();
    const first = await replyTo(turns[0]!, 60_000);
    const second = await replyTo(turns[1]!, 60_000);
    expect(first.reply.text).toBe('Happy to book a table for 5. What day and time would you like?');
    expect(second.reply.text).toMatch(/^Booked a table for 5 on Thursday \d+ \w+ at 21:00\./);
    expect(dlq.records.length).toBe(dlqBefore);
    // Each message answered once, in order.
    const replies = (await outboundOf(conversationId)).filter((e) => e.body.type === 'Reply').map((e) => e.causationId);
    expect(replies).toEqual([turns[0]!.eventId, turns[1]!.eventId]);
    await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 30_000, 'offsets committed');
  });
});
