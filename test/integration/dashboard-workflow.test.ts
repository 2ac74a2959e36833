// A confirmed dashboard action run for real: the DASHBOARD processor's workflow stage
// starts the management action workflow through the WorkflowManager on the Temporal
// dev server, an in-process worker runs it, and it changes the data, writes the allowed
// audit row and reports COMPLETED to the dashboard conversation. A redelivered "yes"
// starts nothing more.
//
// A dashboard conversation is shared by the business's members, so the answer to a
// pending action is bound to who asked: only the requester, or a member with a
// strictly higher role, may say "yes" or "no"; a "yes" about another business runs
// nothing; and the worker reads the confirmer's role again before it acts.
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardProcessor } from '../../processors/dashboard/index.js';
import type { ProcessorDeps, WorkflowStarter } from '../../processors/shared/deps.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, ErrorNotice, OutboundEvent, Reply } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { classifyFailure } from '../../src/pipeline/errors.js';
import type { ChatProcessor, ProcessorResult } from '../../src/pipeline/processor.js';
import { WorkflowManager } from '../../src/workflows/manager.js';
import { createX7Worker, workflowsPath, type X7Worker } from '../../src/workflows/worker.js';
import { chatDeps, processInTurn } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, TopicReader, waitUntil } from '../support/pipeline.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { insertBooking, insertTeam, quietTemporalLogger, terminateRunningWorkflows, workflowEventsOf } from '../support/workflows.js';

const logger = createLogger('test', 'silent');
const BUSINESS = 'lis-studio-cabelo-chiado'; // u-marta owner, u-bruno manager, u-carla staff
const OTHER_BUSINESS = 'lis-lisboa-bela-cabeleireiros'; // u-marta owner too

describe('DASHBOARD management action through Temporal', () => {
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let worker: X7Worker;
  let running: Promise<void>;
  let manager: WorkflowManager;
  let connection: Connection;
  let client: Client;
  let outbound: TopicReader;
  let workflowEvents: TopicReader;
  let processor: ChatProcessor;
  let deps: ProcessorDeps;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    } catch {
      // already installed in this process by another test file
    }
    const prefix = uniquePrefix('dashwf');
    db = await createTestDatabase({ seed: true, label: 'dashwf' });
    config = isolatedConfig(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: `${prefix}workflows` });
    await prepareNamespace(config);
    codec = createCodec(config);
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietTemporalLogger });
    worker = await createX7Worker({ config, logger: createLogger('test-worker', 'fatal'), workflowBundle, shutdownGraceTime: '2 seconds' });
    running = worker.run();
    manager = await WorkflowManager.connect({ config });
    connection = await Connection.connect({ address: config.temporalAddress });
    client = new Client({ connection, namespace: config.temporalNamespace });
    outbound = await TopicReader.open(config, 'chat.outbound');
    workflowEvents = await TopicReader.open(config, 'chat.workflows');
    deps = chatDeps(db.pool, db.url, manager);
    processor = createDashboardProcessor(deps);
  });

  afterAll(async () => {
    if (client) {
      await terminateRunningWorkflows(client, config.taskQueue);
    }
    worker?.shutdown();
    await running;
    await manager?.close();
    await connection?.close();
    await outbound?.close();
    await workflowEvents?.close();
    await db?.drop();
  });

  /** A dashboard conversation of its own; each message says who wrote it (members share the conversation). */
  function dashboard(businessId = BUSINESS, workflows: WorkflowStarter = manager) {
    const conversationId = `c-${randomUUID().slice(0, 8)}`;
    const turnDeps = workflows === manager ? deps : chatDeps(db.pool, db.url, workflows);
    const turn = processInTurn(workflows === manager ? processor : createDashboardProcessor(turnDeps), turnDeps);
    return async (userId: string, text: string, options: { businessId?: string } = {}) => {
      const message: ChatMessage = {
        eventId: randomUUID(), conversationId, chatType: 'DASHBOARD', userId, businessId: options.businessId ?? businessId, text,
        channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
      };
      const { outputs } = await turn(message);
      const bodies = outputs.filter((o) => o.topic === 'chat.outbound').map((o) => (o.value as OutboundEvent).body);
      return {
        message,
        outputs,
        workflowId: `management-${message.eventId}`,
        fact: outputs.find((o) => o.topic === 'chat.analytics')!.value as AnalyticsEvent,
        reply: bodies.find((b): b is Reply => b.type === 'Reply'),
        notices: bodies.filter((b): b is ErrorNotice => b.type === 'ErrorNotice'),
      };
    };
  }

  const auditOf = async (workflowId: string) =>
    (await db.pool.query(
      `select user_id, business_id, action, allowed, requested_by, decided_by, decision, detail from audit_log where detail->>'workflowId' = $1`, [workflowId],
    )).rows;
  const auditOfMessage = async (eventId: string) =>
    (await db.pool.query(
      `select user_id, business_id, action, allowed, requested_by, decided_by, decision, detail from audit_log where detail->>'eventId' = $1`, [eventId],
    )).rows;
  const announcements = async (businessId: string, text: string) =>
    (await db.pool.query('select created_by from announcements where business_id = $1 and text = $2', [businessId, text])).rows;
  const waitForAudit = (workflowId: string) =>
    waitUntil(async () => (await auditOf(workflowId)).length === 1, 30_000, `audit row of ${workflowId}`);
  const notStarted = async (workflowId: string) => {
    await expect(client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  };

  it("pauses bookings on the owner's yes, once, with its audit row and a COMPLETED update", async () => {
    const conversationId = `c-${randomUUID().slice(0, 8)}`;
    const message = (text: string, eventId = randomUUID()): ChatMessage => ({
      eventId, conversationId, chatType: 'DASHBOARD', userId: 'u-marta', businessId: BUSINESS, text,
      channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
    });
    // As the runtime does: the message at its offset, then the store's flush (the commit).
    const process = async (m: ChatMessage, offset: number): Promise<ProcessorResult['outputs']> => {
      try {
        const { outputs } = await processor.process(m, { logger, source: { topic: 't', partition: 0, offset: String(offset) }, clock: deps.clock, stageLatenciesMs: {} });
        await deps.store.flush(0);
        return outputs;
      } catch (error) {
        deps.store.rollback(0);
        throw error;
      }
    };
    const outcome = (outputs: ProcessorResult['outputs']) => (outputs.find((o) => o.topic === 'chat.analytics')!.value as AnalyticsEvent).outcome;

    expect(outcome(await process(message('Stop taking bookings please'), 0))).toBe('CONFIRMATION_REQUESTED');
    const yes = message('yes');
    const first = await process(yes, 1);
    expect(outcome(first)).toBe('WORKFLOW_STARTED');
    const workflowId = `management-${yes.eventId}`;

    await waitUntil(async () => {
      const { rows } = await db.pool.query(`select 1 from audit_log where detail->>'workflowId' = $1 and allowed`, [workflowId]);
      return rows.length === 1;
    }, 30_000, 'audit row of the management action');
    const { rows } = await db.pool.query('select accepting_bookings from businesses where id = $1', [BUSINESS]);
    expect(rows[0].accepting_bookings).toBe(false);

    await waitUntil(async () => {
      const mine = outbound.records.filter((r) => r.key?.toString() === conversationId);
      const events = await Promise.all(mine.map(async (r) => (await codec.decode('chat.outbound', r.value)).value as OutboundEvent));
      return events.some((e) => e.body.type === 'WorkflowUpdate' && e.body.workflowId === workflowId && e.body.status === 'COMPLETED');
    }, 30_000, 'COMPLETED update on the dashboard conversation');

    // The same "yes" delivered again (its offset not committed in Kafka): its stored
    // outputs come back, nothing new starts. So does a producer's duplicate at a later offset.
    const eventIds = (outputs: ProcessorResult['outputs']) => outputs.map((o) => (o.value as { eventId: string }).eventId);
    const again = await process(yes, 1);
    expect(eventIds(again)).toEqual(eventIds(first));
    const duplicate = await process(yes, 2);
    expect(eventIds(duplicate)).toEqual(eventIds(first));
    const audits = await db.pool.query(`select count(*)::int as n from audit_log where action = 'pause_bookings' and detail->>'workflowId' = $1`, [workflowId]);
    expect(audits.rows[0].n).toBe(1);
    // The audit row names who asked and who confirmed: here the same owner.
    expect(await auditOf(workflowId)).toEqual([expect.objectContaining({ user_id: 'u-marta', requested_by: 'u-marta', decided_by: 'u-marta', decision: 'confirmed' })]);
  });

  it("refuses a manager's yes to the owner's request and keeps it waiting; the owner's own yes runs it", async () => {
    const say = dashboard();
    const text = `Owner's notice ${randomUUID().slice(0, 8)}`;
    expect((await say('u-marta', `announce: ${text}`)).fact.outcome).toBe('CONFIRMATION_REQUESTED');

    const managerYes = await say('u-bruno', 'yes');
    expect(managerYes.fact).toMatchObject({ intent: 'confirm', agent: 'management', outcome: 'DENIED' });
    expect(managerYes.notices).toEqual([expect.objectContaining({ code: 'FORBIDDEN' })]);
    expect(managerYes.reply?.text).toMatch(/Marta Sousa \(owner\)/);
    expect(managerYes.reply?.text).toMatch(/still waiting/);
    await notStarted(managerYes.workflowId);
    expect(await auditOfMessage(managerYes.message.eventId)).toEqual([
      expect.objectContaining({ user_id: 'u-bruno', action: 'announcement', allowed: false, requested_by: 'u-marta', decided_by: null, decision: null }),
    ]);

    const ownerYes = await say('u-marta', 'yes');
    expect(ownerYes.fact.outcome).toBe('WORKFLOW_STARTED');
    await waitForAudit(ownerYes.workflowId);
    expect(await auditOf(ownerYes.workflowId)).toEqual([expect.objectContaining({
      user_id: 'u-marta', business_id: BUSINESS, allowed: true, requested_by: 'u-marta', decided_by: 'u-marta', decision: 'confirmed',
      detail: expect.objectContaining({ outcome: 'completed', confirmedAs: 'requester' }),
    })]);
    expect(await announcements(BUSINESS, text)).toEqual([{ created_by: 'u-marta' }]);
  });

  it("runs a manager's request on the owner's yes, audited as asked by the manager and confirmed by the owner", async () => {
    const say = dashboard();
    const text = `Manager's notice ${randomUUID().slice(0, 8)}`;
    expect((await say('u-bruno', `announce: ${text}`)).fact.outcome).toBe('CONFIRMATION_REQUESTED');
    const ownerYes = await say('u-marta', 'yes');
    expect(ownerYes.fact.outcome).toBe('WORKFLOW_STARTED');
    expect(ownerYes.reply?.text).toMatch(/asked by Bruno Matos \(manager\)/);
    await waitForAudit(ownerYes.workflowId);
    expect(await auditOf(ownerYes.workflowId)).toEqual([expect.objectContaining({
      user_id: 'u-marta', allowed: true, requested_by: 'u-bruno', decided_by: 'u-marta', decision: 'confirmed',
      detail: expect.objectContaining({ confirmedAs: 'higher_role', requesterRole: 'manager', confirmerRole: 'owner' }),
    })]);
  });

  it("refuses a staff member's no and keeps the action; the requester's no discards it with an audit row", async () => {
    const say = dashboard();
    expect((await say('u-bruno', 'announce: staff meeting moved to Friday')).fact.outcome).toBe('CONFIRMATION_REQUESTED');

    const staffNo = await say('u-carla', 'no');
    expect(staffNo.fact).toMatchObject({ intent: 'reject', outcome: 'DENIED' });
    expect(staffNo.notices).toEqual([expect.objectContaining({ code: 'FORBIDDEN' })]);
    expect(staffNo.reply?.text).toMatch(/still waiting/);
    expect(await auditOfMessage(staffNo.message.eventId)).toEqual([
      expect.objectContaining({ user_id: 'u-carla', action: 'announcement', allowed: false, requested_by: 'u-bruno', decision: null }),
    ]);

    const requesterNo = await say('u-bruno', 'no');
    expect(requesterNo.fact.outcome).toBe('ANSWERED');
    expect(requesterNo.reply?.text).toMatch(/^OK, discarded: I will not post this announcement/);
    expect(await auditOfMessage(requesterNo.message.eventId)).toEqual([expect.objectContaining({
      user_id: 'u-bruno', business_id: BUSINESS, action: 'announcement', allowed: true, requested_by: 'u-bruno', decided_by: 'u-bruno', decision: 'declined',
    })]);
    // Discarded: a later "yes" has nothing to run.
    const late = await say('u-bruno', 'yes');
    expect(late.reply?.text).toBe('Nothing is waiting for your confirmation.');
    await notStarted(late.workflowId);
  });

  it('runs nothing on a yes that names another business than the pending action', async () => {
    const say = dashboard();
    const text = `Only for the studio ${randomUUID().slice(0, 8)}`;
    expect((await say('u-marta', `announce: ${text}`)).fact.outcome).toBe('CONFIRMATION_REQUESTED');

    const elsewhere = await say('u-marta', 'yes', { businessId: OTHER_BUSINESS });
    expect(elsewhere.fact.outcome).toBe('DENIED');
    expect(elsewhere.notices).toEqual([expect.objectContaining({ code: 'FORBIDDEN', field: 'businessId' })]);
    expect(elsewhere.reply?.text).toContain(OTHER_BUSINESS);
    await notStarted(elsewhere.workflowId);
    expect(await announcements(OTHER_BUSINESS, text)).toEqual([]);

    // Still pending, for its own business.
    const here = await say('u-marta', 'yes');
    expect(here.fact.outcome).toBe('WORKFLOW_STARTED');
    await waitForAudit(here.workflowId);
    expect(await announcements(BUSINESS, text)).toEqual([{ created_by: 'u-marta' }]);
    expect(await announcements(OTHER_BUSINESS, text)).toEqual([]);
  });

  it('fails the workflow, audited and with its reason, when the confirmer lost the role before the worker ran it', async () => {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    await db.pool.query(`insert into users (id, display_name) values ($1, 'Temporary Manager')`, [userId]);
    await db.pool.query(`insert into members (business_id, user_id, role) values ($1, $2, 'manager')`, [BUSINESS, userId]);
    // Between the "yes" and the worker: the manager is made staff just before the start reaches Temporal.
    const demotingStarter: WorkflowStarter = {
      startWorkflow: (async (...args: Parameters<WorkflowStarter['startWorkflow']>) => {
        await db.pool.query(`update members set role = 'staff' where business_id = $1 and user_id = $2`, [BUSINESS, userId]);
        return manager.startWorkflow(...args);
      }) as WorkflowStarter['startWorkflow'],
      cancelWorkflow: (...args) => manager.cancelWorkflow(...args),
      listWorkflows: (...args) => manager.listWorkflows(...args),
      findWorkflow: (...args) => manager.findWorkflow(...args),
    };
    const say = dashboard(BUSINESS, demotingStarter);
    const text = `Never posted ${randomUUID().slice(0, 8)}`;
    expect((await say(userId, `announce: ${text}`)).fact.outcome).toBe('CONFIRMATION_REQUESTED');
    const yes = await say(userId, 'yes');
    expect(yes.fact.outcome).toBe('WORKFLOW_STARTED');

    const failure = await client.workflow.getHandle(yes.workflowId).result().then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = ((failure as WorkflowFailedError).cause as ActivityFailure).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(cause.message).toBe(`Posting an announcement needs the manager role or higher; ${userId} is staff now.`);

    await waitUntil(async () => (await workflowEventsOf(workflowEvents, codec, yes.workflowId))
      .some((e) => e.status === 'FAILED' && e.detail === cause.message), 30_000, 'FAILED WorkflowEvent with the reason');
    expect(await auditOf(yes.workflowId)).toEqual([expect.objectContaining({
      user_id: userId, allowed: false, requested_by: userId, decided_by: userId, decision: 'confirmed',
      detail: expect.objectContaining({ outcome: 'refused', confirmerRole: 'staff' }),
    })]);
    expect(await announcements(BUSINESS, text)).toEqual([]);
  });

  // ---------------------------------------------------------------------------
  // what runs for the business, and cancelling it (Temporal's visibility)

  /** A business of the test's own (exact counts): owner, manager and staff, and a guest's booking with its running reservation. */
  const teamWithReservation = async () => {
    const { business, owner, manager: managerId, staff } = await insertTeam(db.pool, 'test-wf');
    const guestConversation = `c-${randomUUID().slice(0, 8)}`;
    const startsAt = new Date(Date.now() + 5 * 3_600_000);
    const bookingId = await insertBooking(db.pool, { businessId: business, conversationId: guestConversation, startsAt });
    const started = await manager.startWorkflow('reservation', {
      bookingId, businessId: business, conversationId: guestConversation, userId: 'u-guest', partySize: 2,
      startsAt: startsAt.toISOString(), timeZone: 'Europe/Lisbon', causationId: randomUUID(),
    });
    await waitUntil(async () => (await db.pool.query('select status from bookings where id = $1', [bookingId])).rows[0]?.status === 'confirmed', 30_000, 'booking confirmed');
    // Visibility is eventually consistent: the answers below must see the run.
    await waitUntil(async () => (await manager.listWorkflows({ businessId: business, status: 'Running' })).workflows.length === 1, 20_000, 'the run in visibility');
    return { business, owner, managerId, staff, bookingId, workflowId: started.workflowId, guestConversation };
  };
  const bookingStatus = async (id: string) => (await db.pool.query<{ status: string }>('select status from bookings where id = $1', [id])).rows[0]?.status;

  it("shows a staff member what runs for the business and the workflows of its pending bookings, from Temporal", async () => {
    const team = await teamWithReservation();
    const pendingId = await insertBooking(db.pool, { businessId: team.business, conversationId: `c-${randomUUID().slice(0, 8)}`, startsAt: new Date(Date.now() + 6 * 3_600_000) });
    const say = dashboard(team.business);

    const running = await say(team.staff, "what's running?");
    expect(running.fact).toMatchObject({ intent: 'workflows_list', agent: 'workflows', outcome: 'ANSWERED' });
    expect(running.reply?.text).toBe('Running now for Taberna de Teste: 1 workflow: 1 reservation (booking, reminder and completion).');
    expect(running.reply?.cards.map((c) => c.fields)).toEqual([expect.objectContaining({ Workflow: team.workflowId, Status: 'Running', Booking: team.bookingId })]);

    const pending = await say(team.staff, "show pending bookings' workflows");
    expect(pending.fact).toMatchObject({ intent: 'workflows_list', agent: 'workflows', outcome: 'ANSWERED' });
    // The pending booking has no workflow yet (nothing started it): said as it is.
    expect(pending.reply?.text).toBe('1 pending booking: 0 with its reservation workflow running, 1 without a workflow in Temporal.');
    expect(pending.reply?.cards.map((c) => [c.fields.Booking, c.fields['Workflow status']])).toEqual([[pendingId, 'not found']]);
    const confirmed = await say(team.staff, "show confirmed bookings' workflows");
    expect(confirmed.reply?.cards.map((c) => [c.fields.Booking, c.fields.Workflow, c.fields['Workflow status']])).toEqual([[team.bookingId, team.workflowId, 'Running']]);
  });

  it('cancels the reminder for a booking on the manager\'s yes: staff are denied and audited, the reservation publishes CANCELLED with the reason', async () => {
    const team = await teamWithReservation();
    const say = dashboard(team.business);
    const ask = `cancel the reminder for booking ${team.bookingId} because the guest called`;

    // Staff may look, not cancel: FORBIDDEN, audited, nothing pending.
    const staffAsks = await say(team.staff, ask);
    expect(staffAsks.fact).toMatchObject({ intent: 'workflow_cancel', agent: 'management', outcome: 'DENIED' });
    expect(staffAsks.notices).toEqual([expect.objectContaining({ code: 'FORBIDDEN', message: 'Cancelling a workflow (cancel_workflow) needs the manager role or higher; you are staff.' })]);
    expect(await auditOfMessage(staffAsks.message.eventId)).toEqual([expect.objectContaining({ user_id: team.staff, business_id: team.business, action: 'cancel_workflow', allowed: false })]);

    const request = await say(team.managerId, ask);
    expect(request.fact).toMatchObject({ intent: 'workflow_cancel', outcome: 'CONFIRMATION_REQUESTED' });
    expect(request.reply?.text).toContain(`Please confirm: I will stop the reservation workflow ${team.workflowId} of booking ${team.bookingId} (2 people,`);
    expect(request.reply?.text).toContain('the workflow cancels the booking and tells the customer “cancelled by Taberna de Teste: the guest called”');
    expect(request.reply?.cards[0]).toMatchObject({ kind: 'ACTION', fields: expect.objectContaining({ Action: 'cancel_workflow', Workflow: team.workflowId }) });

    // The staff member's "yes" to the manager's request: refused, audited, still waiting.
    const staffYes = await say(team.staff, 'yes');
    expect(staffYes.fact.outcome).toBe('DENIED');
    expect(staffYes.reply?.text).toMatch(/still waiting/);
    expect(await auditOfMessage(staffYes.message.eventId)).toEqual([
      expect.objectContaining({ user_id: team.staff, action: 'cancel_workflow', allowed: false, requested_by: team.managerId, decision: null }),
    ]);
    expect(await bookingStatus(team.bookingId)).toBe('confirmed');

    const yes = await say(team.managerId, 'yes');
    expect(yes.fact).toMatchObject({ intent: 'confirm', agent: 'management', outcome: 'ANSWERED' });
    expect(yes.reply?.text).toMatch(/^Confirmed: I'm cancelling it: stop the reservation workflow/);
    expect(await auditOfMessage(yes.message.eventId)).toEqual([expect.objectContaining({
      user_id: team.managerId, business_id: team.business, action: 'cancel_workflow', allowed: true,
      requested_by: team.managerId, decided_by: team.managerId, decision: 'confirmed',
      detail: expect.objectContaining({
        targetWorkflowId: team.workflowId, bookingId: team.bookingId, outcome: 'cancel_requested', confirmedAs: 'requester',
        reason: 'cancelled by Taberna de Teste: the guest called', requestEventId: request.message.eventId,
      }),
    })]);

    // The existing cancellation path: the reservation cancels its booking and says why.
    await waitUntil(async () => (await workflowEventsOf(workflowEvents, codec, team.workflowId))
      .some((e) => e.status === 'CANCELLED' && e.detail === 'cancelled by Taberna de Teste: the guest called'), 30_000, 'CANCELLED WorkflowEvent with the reason');
    expect(await bookingStatus(team.bookingId)).toBe('cancelled');

    // Ended now: asking again finds nothing to cancel, and nothing waits.
    await waitUntil(async () => (await manager.findWorkflow(team.workflowId))?.status === 'Completed', 20_000, 'run closed in visibility');
    const again = await say(team.managerId, `cancel workflow ${team.workflowId}`);
    expect(again.fact.outcome).toBe('ANSWERED');
    expect(again.reply?.text).toBe(`Workflow ${team.workflowId} has already ended (completed); there is nothing to cancel.`);
    expect((await say(team.managerId, "what's running?")).reply?.text).toBe('Nothing is running for Taberna de Teste right now.');
  });

  it('waits for Temporal when it is down, to answer from it once it is back, never guessing', async () => {
    const team = await teamWithReservation();
    const [host, port] = config.temporalAddress.split(':') as [string, string];
    const temporal = await TcpProxy.start({ host, port: Number(port) });
    const viaProxy = await WorkflowManager.connect({ config: { ...config, temporalAddress: `127.0.0.1:${temporal.port}` } });
    try {
      const say = dashboard(team.business, viaProxy);
      expect((await say(team.staff, "what's running?")).reply?.text).toMatch(/^Running now for Taberna de Teste: 1 workflow/);

      await temporal.cut();
      const failure = await say(team.staff, "what's running?").then(() => null, (error: unknown) => error);
      // What the runtime reads to pause the partition and retry, instead of replying or dead-lettering.
      expect(classifyFailure(failure)).toEqual({ retriable: true, dependency: 'temporal' });

      await temporal.restore();
      let answer: Awaited<ReturnType<typeof say>> | undefined;
      await waitUntil(async () => {
        answer = await say(team.staff, "what's running?").catch(() => undefined);
        return answer !== undefined;
      }, 60_000, 'an answer once Temporal is back');
      expect(answer!.reply?.text).toBe('Running now for Taberna de Teste: 1 workflow: 1 reservation (booking, reminder and completion).');
    } finally {
      await viaProxy.close();
      await temporal.stop();
    }
  });
});
