// The workflows end to end inside one process: a real Temporal dev server, a test
// database of our own, our own topics (X7_TOPIC_PREFIX) and our own task queue, with
// an in-process Worker running the same code `x7 worker` runs.
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { OutboundEvent, WorkflowEvent } from '../../src/events.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { sampleValue } from '../../src/observability/metrics.js';
import { instantToZonedParts } from '../../src/understanding/index.js';
import { createActivities } from '../../src/workflows/activities.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';
import { WorkflowManager, WorkflowNotRunningError } from '../../src/workflows/manager.js';
import { InvalidWorkflowInputError } from '../../src/workflows/validate.js';
import { createX7Worker, workflowsPath, type X7Worker } from '../../src/workflows/worker.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, TopicReader, waitUntil } from '../support/pipeline.js';
import { insertBooking, insertBusiness, offsetIso, quietTemporalLogger, terminateRunningWorkflows } from '../support/workflows.js';

describe('workflows', () => {
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let worker: X7Worker;
  let running: Promise<void>;
  let manager: WorkflowManager;
  let connection: Connection;
  let client: Client;
  let outbound: TopicReader;
  let workflowBundle: WorkflowBundleWithSourceMap;
  let workflows: TopicReader;
  const businessId = `biz-${randomUUID().slice(0, 8)}`;
  const ownerId = `owner-${randomUUID().slice(0, 8)}`;

  /** Decoded WorkflowUpdates of one conversation, in arrival order. */
  async function updatesOf(conversationId: string): Promise<OutboundEvent[]> {
    const mine = outbound.records.filter((r) => r.key?.toString() === conversationId);
    return Promise.all(mine.map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
  }
  async function workflowEventsOf(workflowId: string): Promise<WorkflowEvent[]> {
    const mine = workflows.records.filter((r) => r.key?.toString() === workflowId);
    return Promise.all(mine.map(async (r) => (await codec.decode('chat.workflows', r.value)).value));
  }
  const statuses = (events: OutboundEvent[]) => events.map((e) => (e.body.type === 'WorkflowUpdate' ? e.body.status : e.body.type));
  async function waitForStatus(conversationId: string, status: string, timeoutMs = 30_000): Promise<void> {
    await waitUntil(async () => statuses(await updatesOf(conversationId)).includes(status as never), timeoutMs, `${status} on ${conversationId}`);
  }
  async function bookingStatus(id: string): Promise<string | undefined> {
    const { rows } = await db.pool.query<{ status: string }>('select status from bookings where id = $1', [id]);
    return rows[0]?.status;
  }

  beforeAll(async () => {
    // The SDK's own lines: errors only (the refused-action tests fail activities on purpose).
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    } catch {
      // already installed in this process by another test file
    }
    const prefix = uniquePrefix('workflows');
    db = await createTestDatabase({ label: 'workflows' });
    config = isolatedConfig(prefix, {
      DATABASE_URL: db.url,
      X7_TASK_QUEUE: `${prefix}workflows`,
      X7_REMINDER_LEAD_MINUTES: '1',
    });
    await prepareNamespace(config);
    codec = createCodec(config);
    await insertBusiness(db.pool, businessId, ownerId);

    workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietTemporalLogger });
    worker = await createX7Worker({ config, logger: createLogger('test-worker', 'fatal'), workflowBundle, shutdownGraceTime: '2 seconds' });
    running = worker.run();
    manager = await WorkflowManager.connect({ config });
    connection = await Connection.connect({ address: config.temporalAddress });
    client = new Client({ connection, namespace: config.temporalNamespace });
    outbound = await TopicReader.open(config, 'chat.outbound');
    workflows = await TopicReader.open(config, 'chat.workflows');
  });

  afterAll(async () => {
    // Leave nothing running on the dev server: terminate what the tests left behind.
    if (client) {
      await terminateRunningWorkflows(client, config.taskQueue);
    }
    worker?.shutdown();
    await running;
    await manager?.close();
    await connection?.close();
    await outbound?.close();
    await workflows?.close();
    await db?.drop();
  });

  it('starts a reservation once, lists and counts it, and cancels its booking', async () => {
    const conversationId = `c-${randomUUID()}`;
    const causationId = randomUUID();
    const bookingId = await insertBooking(db.pool, { businessId, conversationId, startsAt: new Date(Date.now() + 3 * 3_600_000) });
    const input = {
      bookingId, businessId, conversationId, userId: 'u-guest', partySize: 4,
      startsAt: new Date(Date.now() + 3 * 3_600_000).toISOString(), timeZone: 'Europe/Lisbon', causationId,
    };

    const first = await manager.startWorkflow('reservation', input);
    expect(first).toMatchObject({ workflowId: `reservation-${bookingId}`, alreadyStarted: false });
    const second = await manager.startWorkflow('reservation', input);
    expect(second).toEqual({ workflowId: first.workflowId, runId: first.runId, alreadyStarted: true });

    await waitUntil(async () => (await bookingStatus(bookingId)) === 'confirmed', 30_000, 'booking confirmed');
    await waitForStatus(conversationId, 'CONFIRMED');

    // Visibility is eventually consistent: wait for the run to show.
    await waitUntil(async () => (await manager.getActiveWorkflows({ businessId })).some((w) => w.workflowId === first.workflowId), 20_000, 'active listing');
    const active = (await manager.getActiveWorkflows({ businessId })).find((w) => w.workflowId === first.workflowId)!;
    expect(active).toMatchObject({ runId: first.runId, kind: 'reservation', businessId, conversationId });
    expect((await manager.getActiveWorkflows({ businessId: 'someone-else' })).map((w) => w.workflowId)).not.toContain(first.workflowId);
    await waitUntil(async () => ((await manager.getWorkflowMetrics()).byKind.reservation.byStatus.Running ?? 0) >= 1, 20_000, 'metrics');
    const metrics = await manager.getWorkflowMetrics();
    expect(metrics.taskQueue).toBe(config.taskQueue);
    expect(metrics.total).toBeGreaterThanOrEqual(1);

    const cancelled = await manager.cancelWorkflow(first.workflowId, 'guest called to cancel');
    expect(cancelled).toEqual({ workflowId: first.workflowId, runId: first.runId, method: 'signal' });
    await waitUntil(async () => (await bookingStatus(bookingId)) === 'cancelled', 30_000, 'booking cancelled');
    await waitForStatus(conversationId, 'CANCELLED');
    await outbound.waitFor(0, { timeoutMs: 0, settleMs: 1000 }); // a duplicate would show up by now

    const updates = await updatesOf(conversationId);
    expect(statuses(updates)).toEqual(['STARTED', 'CONFIRMED', 'CANCELLED']);
    expect(new Set(updates.map((u) => u.eventId)).size).toBe(3);
    for (const u of updates) expect(u).toMatchObject({ conversationId, chatType: 'DEDICATED', userId: 'u-guest', businessId });
    expect(updates[2]!.body).toMatchObject({ type: 'WorkflowUpdate', workflowId: first.workflowId, workflowType: 'RESERVATION', detail: 'guest called to cancel' });

    const events = await workflowEventsOf(first.workflowId);
    expect(events.map((e) => e.status)).toEqual(['STARTED', 'CONFIRMED', 'CANCELLED']);
    for (const e of events) expect(e).toMatchObject({ workflowId: first.workflowId, runId: first.runId, workflowType: 'RESERVATION', causationId, conversationId, businessId });
    // Each client update names the workflow event it reports.
    expect(updates.map((u) => u.causationId)).toEqual(events.map((e) => e.eventId));

    const { rows } = await db.pool.query('select run_id, workflow_type, status, business_id from workflow_runs where workflow_id = $1', [first.workflowId]);
    expect(rows).toEqual([{ run_id: first.runId, workflow_type: 'RESERVATION', status: 'CANCELLED', business_id: businessId }]);
    await waitUntil(async () => (await client.workflow.getHandle(first.workflowId).describe()).status.name === 'COMPLETED', 10_000, 'run closed');
    await expect(manager.cancelWorkflow(first.workflowId, 'again')).rejects.toBeInstanceOf(WorkflowNotRunningError);
    // Describe reads the reason back from the cancel signal in its history.
    expect(await manager.describeWorkflow(first.workflowId)).toMatchObject({
      workflowId: first.workflowId, kind: 'reservation', status: 'Completed', businessId, conversationId, causationId,
      cancelReason: 'guest called to cancel', failure: null, state: { status: 'CANCELLED', detail: 'guest called to cancel' },
    });
  });

  it('ends a reservation whose booking was replaced before its confirmation as CANCELLED, saying so, never FAILED', async () => {
    const conversationId = `c-${randomUUID()}`;
    const startsAt = new Date(Date.now() + 3 * 3_600_000);
    const bookingId = await insertBooking(db.pool, { businessId, conversationId, startsAt });
    // "make it 9pm" before the worker got to it: the agent cancels the old booking in the
    // same transaction as it places the new one (place_booking), then asks for the old run's cancel.
    await db.pool.query(`update bookings set status = 'cancelled', notes = concat_ws(E'\\n', notes, $2::text) where id = $1`, [bookingId, `replaced by ${randomUUID()}`]);
    const started = await manager.startWorkflow('reservation', {
      bookingId, businessId, conversationId, userId: 'u-guest', partySize: 2,
      startsAt: startsAt.toISOString(), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    const result = await client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'CANCELLED' });
    await waitForStatus(conversationId, 'CANCELLED');
    await outbound.waitFor(0, { timeoutMs: 0, settleMs: 1000 });
    const updates = await updatesOf(conversationId);
    expect(statuses(updates)).toEqual(['STARTED', 'CANCELLED']);
    expect(updates[1]!.body).toMatchObject({ type: 'WorkflowUpdate', detail: 'replaced by the changed booking' });
    expect(await bookingStatus(bookingId)).toBe('cancelled');
  });

  it('sends the reminder when its durable timer fires', async () => {
    const conversationId = `c-${randomUUID()}`;
    // Lead 1 minute (X7_REMINDER_LEAD_MINUTES) and a start 62 s ahead: the reminder is due in ~2 s.
    const startsAt = new Date(Date.now() + 62_000);
    const bookingId = await insertBooking(db.pool, { businessId, conversationId, startsAt });
    const started = await manager.startWorkflow('reservation', {
      bookingId, businessId, conversationId, userId: 'u-guest', partySize: 2,
      startsAt: offsetIso(startsAt, 60), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    await waitForStatus(conversationId, 'REMINDER_SENT', 30_000);
    const updates = await updatesOf(conversationId);
    expect(statuses(updates)).toEqual(['STARTED', 'CONFIRMED', 'REMINDER_SENT']);
    const reminder = updates[2]!;
    expect(reminder.body).toMatchObject({ type: 'WorkflowUpdate', status: 'REMINDER_SENT' });
    // The start is a minute ahead: today, unless this runs in the last minute before midnight in Lisbon.
    expect((reminder.body as { detail: string }).detail).toMatch(/^Reminder: your table for 2 at Taberna de Teste (today|tomorrow) at \d{2}:\d{2}$/);
    expect(reminder.producedAt.getTime()).toBeLessThan(startsAt.getTime());
    const state = await client.workflow.getHandle(started.workflowId).query<{ status: string }>('status');
    expect(state.status).toBe('REMINDER_SENT');
    await manager.cancelWorkflow(started.workflowId, 'test done');
  });

  it('runs a voice callback at its time and completes it', async () => {
    const conversationId = `c-${randomUUID()}`;
    const due = new Date(Date.now() + 3_000);
    const started = await manager.startWorkflow('voiceCallback', {
      phone: '+351912345678', businessId, conversationId, userId: 'u-caller',
      callbackAt: offsetIso(due, -300), causationId: randomUUID(), // written in UTC-05:00
    });
    expect(started.alreadyStarted).toBe(false);
    const result = await client.workflow.getHandle(started.workflowId).result();
    expect(result).toEqual({ callbackAt: due.toISOString() });
    await waitForStatus(conversationId, 'COMPLETED');
    const updates = await updatesOf(conversationId);
    expect(statuses(updates)).toEqual(['STARTED', 'COMPLETED']);
    expect(updates[1]!.producedAt.getTime()).toBeGreaterThanOrEqual(due.getTime());
    // The causing event delivered again after the run ended: the id is not reused.
    const again = await manager.startWorkflow('voiceCallback', {
      businessId, conversationId, userId: 'u-caller', callbackAt: offsetIso(new Date(Date.now() + 60_000), 0), causationId: started.workflowId.replace('voice-callback-', ''),
    });
    expect(again).toEqual({ workflowId: started.workflowId, runId: started.runId, alreadyStarted: true });
  });

  it("names a voice callback's time on the business's clock and its number, scheduled and due", async () => {
    const conversationId = `c-${randomUUID()}`;
    const due = new Date(Date.now() + 3_000);
    // Kolkata is +05:30: the updates must show its wall clock, not UTC's.
    const local = instantToZonedParts(due, 'Asia/Kolkata');
    const hhmm = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
    const started = await manager.startWorkflow('voiceCallback', {
      phone: '+351912345678', businessId, conversationId, userId: 'u-caller', callbackAt: offsetIso(due, 330), timeZone: 'Asia/Kolkata', causationId: randomUUID(),
    });
    await client.workflow.getHandle(started.workflowId).result();
    await waitForStatus(conversationId, 'COMPLETED');
    const details = (await updatesOf(conversationId)).map((u) => (u.body.type === 'WorkflowUpdate' ? `${u.body.status} ${u.body.detail}` : u.body.type));
    const when = `\\w+,? ${local.day} \\w+ ${local.year} at ${hhmm} \\(Asia/Kolkata\\) to \\+351912345678`;
    expect(details).toHaveLength(2);
    expect(details[0]).toMatch(new RegExp(`^STARTED Callback scheduled for ${when}$`));
    expect(details[1]).toMatch(new RegExp(`^COMPLETED Callback due at ${when}$`));
    await expect(manager.startWorkflow('voiceCallback', {
      businessId, conversationId, userId: 'u-caller', callbackAt: offsetIso(new Date(Date.now() + 60_000), 0), timeZone: 'Mars/Olympus', causationId: randomUUID(),
    })).rejects.toThrow(/timeZone: "Mars\/Olympus" is not an IANA time zone/);
  });

  it('cancels a booking from the dashboard through its reservation, and declines bookings while paused', async () => {
    const guestConversation = `c-${randomUUID()}`;
    const staffConversation = `c-${randomUUID()}`;
    const startsAt = new Date(Date.now() + 5 * 3_600_000);
    const bookingId = await insertBooking(db.pool, { businessId, conversationId: guestConversation, startsAt });
    await manager.startWorkflow('reservation', {
      bookingId, businessId, conversationId: guestConversation, userId: 'u-guest', partySize: 3,
      startsAt: startsAt.toISOString(), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    await waitForStatus(guestConversation, 'CONFIRMED');
    const cancel = await manager.startWorkflow('managementAction', {
      action: 'cancel_booking', businessId, userId: ownerId, params: { bookingId, reason: 'kitchen closed' }, conversationId: staffConversation, causationId: randomUUID(),
    });
    await client.workflow.getHandle(cancel.workflowId).result();
    expect(await bookingStatus(bookingId)).toBe('cancelled');
    // The reservation heard about it and told the guest.
    await waitForStatus(guestConversation, 'CANCELLED');
    expect(statuses(await updatesOf(guestConversation))).toEqual(['STARTED', 'CONFIRMED', 'CANCELLED']);
    expect(statuses(await updatesOf(staffConversation))).toEqual(['STARTED', 'COMPLETED']);

    const pause = await manager.startWorkflow('managementAction', {
      action: 'pause_bookings', businessId, userId: ownerId, params: {}, conversationId: staffConversation, causationId: randomUUID(),
    });
    expect(await client.workflow.getHandle(pause.workflowId).result()).toMatchObject({ summary: 'Bookings paused' });
    const declinedConversation = `c-${randomUUID()}`;
    const declinedId = await insertBooking(db.pool, { businessId, conversationId: declinedConversation, startsAt });
    const declined = await manager.startWorkflow('reservation', {
      bookingId: declinedId, businessId, conversationId: declinedConversation, userId: 'u-guest', partySize: 2,
      startsAt: startsAt.toISOString(), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    await expect(client.workflow.getHandle(declined.workflowId).result()).rejects.toThrow();
    await waitForStatus(declinedConversation, 'FAILED');
    expect(await bookingStatus(declinedId)).toBe('cancelled');
    const resume = await manager.startWorkflow('managementAction', {
      action: 'resume_bookings', businessId, userId: ownerId, params: {}, conversationId: staffConversation, causationId: randomUUID(),
    });
    expect(await client.workflow.getHandle(resume.workflowId).result()).toMatchObject({ summary: 'Bookings resumed' });
    const { rows } = await db.pool.query<{ accepting_bookings: boolean }>('select accepting_bookings from businesses where id = $1', [businessId]);
    expect(rows[0]!.accepting_bookings).toBe(true);
  });

  it('publishes a retried status change with the same event ids and one workflow_runs row', async () => {
    const producer = createKafka(config, 'test-publish').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
    await producer.connect();
    try {
      const activities = createActivities({ pool: db.pool, codec, producer, config, logger: createLogger('test-publish', 'fatal') });
      const workflowId = `retry-${randomUUID()}`;
      const conversationId = `c-${randomUUID()}`;
      const input = {
        workflowId, runId: randomUUID(), workflowType: 'OTHER' as const, status: 'STARTED' as const, sequence: 1,
        occurredAt: new Date().toISOString(), conversationId, chatType: 'GLOBAL' as const, userId: 'u-1', businessId: null, causationId: null, detail: null,
      };
      const first = await activities.publishWorkflowEvent(input);
      const second = await activities.publishWorkflowEvent(input); // what an activity retry does
      expect(second).toEqual(first);
      await waitUntil(async () => (await workflowEventsOf(workflowId)).length === 2, 20_000, 'both copies');
      const events = await workflowEventsOf(workflowId);
      expect(events[0]).toEqual(events[1]);
      expect(events[0]!.eventId).toBe(first.workflowEventId);
      const { rows } = await db.pool.query('select status from workflow_runs where workflow_id = $1', [workflowId]);
      expect(rows).toEqual([{ status: 'STARTED' }]);
      // A late retry of an older change does not overwrite a newer status.
      await activities.publishWorkflowEvent({ ...input, status: 'COMPLETED', sequence: 2 });
      await activities.publishWorkflowEvent(input);
      const after = await db.pool.query('select status from workflow_runs where workflow_id = $1', [workflowId]);
      expect(after.rows).toEqual([{ status: 'COMPLETED' }]);
    } finally {
      await producer.disconnect();
    }
  });

  it('completes a reservation whose slot has passed, and replays its history deterministically', async () => {
    const conversationId = `c-${randomUUID()}`;
    // Started late (a worker outage, say): the reminder moment and the 5-minute slot are over.
    const startsAt = new Date(Date.now() - 10 * 60_000);
    const bookingId = await insertBooking(db.pool, { businessId, conversationId, startsAt });
    const started = await manager.startWorkflow('reservation', {
      bookingId, businessId, conversationId, userId: 'u-guest', partySize: 2,
      startsAt: startsAt.toISOString(), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    const handle = client.workflow.getHandle(started.workflowId);
    expect(await handle.result()).toEqual({ status: 'COMPLETED', reminderSent: false });
    expect(await bookingStatus(bookingId)).toBe('completed');
    await waitForStatus(conversationId, 'COMPLETED');
    expect(statuses(await updatesOf(conversationId))).toEqual(['STARTED', 'CONFIRMED', 'COMPLETED']);
    // Today's workflow code must replay the recorded history without nondeterminism.
    await Worker.runReplayHistory({ workflowBundle }, await handle.fetchHistory(), started.workflowId);
  });

  it('cancels a voice callback through Temporal cancellation', async () => {
    const conversationId = `c-${randomUUID()}`;
    const started = await manager.startWorkflow('voiceCallback', {
      businessId, conversationId, userId: 'u-caller', callbackAt: offsetIso(new Date(Date.now() + 3_600_000), 60), causationId: randomUUID(),
    });
    await waitForStatus(conversationId, 'STARTED');
    expect(await manager.cancelWorkflow(started.workflowId, 'caller hung up')).toMatchObject({ method: 'cancel' });
    await waitForStatus(conversationId, 'CANCELLED');
    await waitUntil(async () => (await client.workflow.getHandle(started.workflowId).describe()).status.name === 'CANCELLED', 10_000, 'run cancelled');
  });

  it('cancels a booking when an operator cancels its reservation run in Temporal', async () => {
    const conversationId = `c-${randomUUID()}`;
    const startsAt = new Date(Date.now() + 4 * 3_600_000);
    const bookingId = await insertBooking(db.pool, { businessId, conversationId, startsAt });
    const started = await manager.startWorkflow('reservation', {
      bookingId, businessId, conversationId, userId: 'u-guest', partySize: 2,
      startsAt: startsAt.toISOString(), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    await waitForStatus(conversationId, 'CONFIRMED');
    await client.workflow.getHandle(started.workflowId).cancel();
    await waitUntil(async () => (await bookingStatus(bookingId)) === 'cancelled', 20_000, 'booking cancelled');
    await waitForStatus(conversationId, 'CANCELLED');
  });

  it('reports an unreachable Temporal as a dependency failure', async () => {
    const unreachable = WorkflowManager.connect({ config: { ...config, temporalAddress: '127.0.0.1:1' } });
    await expect(unreachable).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(unreachable).rejects.toThrow(/temporal unavailable: 127\.0\.0\.1:1/);
  });

  describe('on a task queue of its own: visibility and the running gauge', () => {
    // A second worker on its own queue, so every count below is exact: only this block starts workflows there.
    let queueConfig: Config;
    let queueWorker: X7Worker;
    let queueRunning: Promise<void>;
    let queue: WorkflowManager;
    const gauge = async (type: string) => sampleValue(await queueWorker.metrics.registry.metrics(), 'x7_workflows_running', { workflow_type: type });

    beforeAll(async () => {
      queueConfig = { ...config, taskQueue: `${config.taskQueue}-visibility` };
      queueWorker = await createX7Worker({
        config: queueConfig, logger: createLogger('test-worker', 'fatal'), workflowBundle, shutdownGraceTime: '2 seconds', runningGaugeIntervalMs: 200,
      });
      queueRunning = queueWorker.run();
      queue = WorkflowManager.fromClient(client, { config: queueConfig });
    });

    afterAll(async () => {
      if (client && queueConfig) await terminateRunningWorkflows(client, queueConfig.taskQueue);
      queueWorker?.shutdown();
      await queueRunning;
    });

    it('lists, counts and describes what runs, page by page, and the worker exports exactly that many running', async () => {
      const other = `biz-other-${randomUUID().slice(0, 8)}`;
      await insertBusiness(db.pool, other, `owner-${randomUUID().slice(0, 8)}`);
      const callback = (business: string) => queue.startWorkflow('voiceCallback', {
        businessId: business, conversationId: `c-${randomUUID()}`, userId: 'u-caller',
        callbackAt: offsetIso(new Date(Date.now() + 3_600_000), 0), causationId: randomUUID(),
      });
      const started = [await callback(businessId), await callback(businessId), await callback(other)];

      // The gauge: exactly the three started, no reservations, refreshed from visibility.
      await waitUntil(async () => (await gauge('VOICE_CALLBACK')) === 3, 20_000, 'x7_workflows_running{VOICE_CALLBACK} 3');
      expect(await gauge('RESERVATION')).toBe(0);
      expect(await gauge('MANAGEMENT_ACTION')).toBe(0);

      // One workflow a page: the list follows the page tokens to the end.
      const all = await queue.listWorkflows({}, { pageSize: 1 });
      expect(all.workflows.map((w) => w.workflowId).sort()).toEqual(started.map((s) => s.workflowId).sort());
      expect(all).toMatchObject({ more: false, scanned: 3 });
      const mine = await queue.listWorkflows({ businessId, kind: 'voiceCallback', status: 'Running' }, { pageSize: 1 });
      expect(mine.workflows.map((w) => w.workflowId).sort()).toEqual(started.slice(0, 2).map((s) => s.workflowId).sort());
      expect(mine.workflows.every((w) => w.businessId === businessId && w.kind === 'voiceCallback' && w.status === 'Running')).toBe(true);
      const capped = await queue.listWorkflows({}, { limit: 2, pageSize: 1 });
      expect(capped.workflows).toHaveLength(2);
      expect(capped.more).toBe(true);
      expect((await queue.listWorkflows({ kind: 'reservation' })).workflows).toEqual([]);
      // Another queue's workflow is not this manager's to show.
      expect(await manager.findWorkflow(started[0]!.workflowId)).toBeNull();
      expect(await queue.findWorkflow(started[0]!.workflowId)).toMatchObject({ workflowId: started[0]!.workflowId, status: 'Running', businessId });

      const described = await queue.describeWorkflow(started[0]!.workflowId);
      expect(described).toMatchObject({
        workflowId: started[0]!.workflowId, runId: started[0]!.runId, kind: 'voiceCallback', workflowType: 'voiceCallbackWorkflow', status: 'Running',
        taskQueue: queueConfig.taskQueue, closeTime: null, businessId, pendingActivities: [], cancelReason: null, failure: null,
        state: { status: 'STARTED' },
      });

      // Cancelled with a reason: the reason is in its history, the counts and the gauge follow.
      await queue.cancelWorkflow(started[2]!.workflowId, 'the caller came in person');
      await waitUntil(async () => (await gauge('VOICE_CALLBACK')) === 2, 20_000, 'x7_workflows_running{VOICE_CALLBACK} 2');
      expect(await queue.describeWorkflow(started[2]!.workflowId)).toMatchObject({ status: 'Canceled', cancelReason: 'the caller came in person' });
      await waitUntil(async () => (await queue.countWorkflows()).byKind.voiceCallback.byStatus.Canceled === 1, 20_000, 'counted as Canceled');
      const metrics = await queue.getWorkflowMetrics({ since: new Date(Date.now() - 3_600_000) });
      expect(metrics.byKind.voiceCallback).toEqual({ total: 3, byStatus: { Running: 2, Canceled: 1 } });
      expect(metrics.byKind.reservation).toEqual({ total: 0, byStatus: {} });
      expect(metrics.window.byKind.voiceCallback).toMatchObject({ closed: 1, failed: 0 });
      expect(metrics.window.byKind.voiceCallback.p50Ms).toBeGreaterThan(0);
      expect(metrics.window.recentFailures).toEqual([]);
    });
  });

  it('rejects naive and impossible callback times before anything starts', async () => {
    const base = { businessId, conversationId: `c-${randomUUID()}`, userId: 'u-caller' };
    const naiveId = `voice-naive-${randomUUID()}`;
    await expect(manager.startWorkflow('voiceCallback', { ...base, callbackAt: '2099-11-26T18:30:00' }, { workflowId: naiveId })).rejects.toThrow(
      /callbackAt: .*no UTC offset/,
    );
    const impossibleId = `voice-impossible-${randomUUID()}`;
    const impossible = manager.startWorkflow('voiceCallback', { ...base, callbackAt: '2099-02-30T10:00:00Z' }, { workflowId: impossibleId });
    await expect(impossible).rejects.toBeInstanceOf(InvalidWorkflowInputError);
    await expect(impossible).rejects.toThrow(/day 30 does not exist/);
    const pastId = `voice-past-${randomUUID()}`;
    await expect(manager.startWorkflow('voiceCallback', { ...base, callbackAt: '2020-01-01T10:00:00+01:00' }, { workflowId: pastId })).rejects.toThrow(
      /callbackAt: .*lies in the past/,
    );
    for (const id of [naiveId, impossibleId, pastId]) {
      await expect(client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
  });

  it('runs a management action with its audit row, and reports a refused one as FAILED', async () => {
    const conversationId = `c-${randomUUID()}`;
    const causationId = randomUUID();
    const started = await manager.startWorkflow('managementAction', {
      action: 'announcement', businessId, userId: ownerId, params: { text: 'Closed on Monday for a private event' }, conversationId, causationId,
    });
    expect(started.workflowId).toBe(`management-${causationId}`);
    const result = await client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ summary: 'Announcement published' });
    const audit = await db.pool.query('select business_id, user_id, action, allowed, detail from audit_log where detail->>$1 = $2', ['workflowId', started.workflowId]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ business_id: businessId, user_id: ownerId, action: 'announcement', allowed: true, detail: { outcome: 'completed', causationId } });
    const announcements = await db.pool.query('select text, created_by from announcements where business_id = $1', [businessId]);
    expect(announcements.rows).toEqual([{ text: 'Closed on Monday for a private event', created_by: ownerId }]);
    await waitForStatus(conversationId, 'COMPLETED');
    const updates = await updatesOf(conversationId);
    expect(statuses(updates)).toEqual(['STARTED', 'COMPLETED']);
    expect(updates[0]).toMatchObject({ chatType: 'DASHBOARD', userId: ownerId });

    // A booking that does not exist: refused at once (no retries), audited, FAILED.
    const failedConversation = `c-${randomUUID()}`;
    const missing = randomUUID();
    const refused = await manager.startWorkflow('managementAction', {
      action: 'cancel_booking', businessId, userId: ownerId, params: { bookingId: missing }, conversationId: failedConversation, causationId: randomUUID(),
    });
    await expect(client.workflow.getHandle(refused.workflowId).result()).rejects.toThrow();
    await waitForStatus(failedConversation, 'FAILED');
    const failed = (await updatesOf(failedConversation)).at(-1)!;
    expect((failed.body as { detail: string }).detail).toContain(`booking ${missing} of business ${businessId} does not exist`);
    const failedAudit = await db.pool.query('select detail from audit_log where detail->>$1 = $2', ['workflowId', refused.workflowId]);
    expect(failedAudit.rows).toEqual([{ detail: expect.objectContaining({ outcome: 'failed' }) }]);
    // Describe says how it failed: the activity's own message, not "Activity task failed".
    const described = await manager.describeWorkflow(refused.workflowId);
    expect(described).toMatchObject({ status: 'Failed', kind: 'managementAction', cancelReason: null });
    expect(described.failure).toContain(`booking ${missing} of business ${businessId} does not exist`);
  });
});
