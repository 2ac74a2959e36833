// The DASHBOARD agents and their SQL tools over the seeded data: every action checks
// the caller's role in the members table; denials are FORBIDDEN notices with an audit
// row; analytics come from the data; management actions wait for "yes", then ask for
// the management action workflow, whose activity (run here directly, as the worker
// would) changes the data and writes the allowed audit row.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsAgent, helpAgent, managementAgent, managementWorkflowId, workflowsAgent } from '../../processors/dashboard/agents.js';
import type { AgentResult, JsonObject, OpenTask } from '../../processors/shared/agent.js';
import { createLogger } from '../../src/log.js';
import { createActivities } from '../../src/workflows/activities.js';
import type { ManagementActionInput } from '../../src/workflows/types.js';
import { agentRunner, type Asked } from '../support/agents.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertTeam } from '../support/workflows.js';

const TABERNA = 'lis-taberna-do-largo';

describe('DASHBOARD agents over the seed data', () => {
  let db: TestDatabase;
  let ask: ReturnType<typeof agentRunner>;
  let runAction: (input: ManagementActionInput & { workflowId: string }) => Promise<{ summary: string; auditId: string }>;

  beforeAll(async () => {
    db = await createTestDatabase({ seed: true, label: 'dashboard' });
    ask = agentRunner(db.pool, db.url);
    // The management workflow's activity, as `x7 worker` runs it; it publishes nothing itself.
    const activities = createActivities({
      pool: db.pool, codec: {} as never, producer: {} as never, config: { topicPrefix: '' }, logger: createLogger('test', 'silent'),
    });
    runAction = (input) => activities.runManagementAction(input);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const auditRows = async (eventId: string) =>
    (await db.pool.query<{ action: string; allowed: boolean; user_id: string; business_id: string; detail: Record<string, unknown> }>(
      `select action, allowed, user_id, business_id, detail from audit_log where detail->>'eventId' = $1 order by id`, [eventId])).rows;

  const workflowInput = (result: AgentResult | null) => {
    const request = result?.workflows?.[0];
    if (!request || request.action !== 'start' || request.kind !== 'managementAction') throw new Error('no management workflow requested');
    return { workflowId: request.workflowId!, input: request.input as ManagementActionInput };
  };

  /** The state the shared graph keeps between the request and the "yes", in the request's conversation. */
  const carried = ({ result, input }: Asked): { memory: JsonObject; openTask: OpenTask; conversationId: string } => ({
    memory: result!.memory!,
    openTask: { agent: 'management', ...result!.task! },
    conversationId: input.message.conversationId,
  });

  it('denies a staff member pausing bookings: FORBIDDEN notice and one audit row, also when processed again', async () => {
    const eventId = randomUUID();
    const first = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-carla', text: 'Pause bookings for tonight', eventId });
    expect(first.input.understanding.intent).toBe('pause_bookings');
    expect(first.result?.outcome).toBe('DENIED');
    expect(first.result?.notices).toEqual([{
      code: 'FORBIDDEN',
      message: 'Pausing bookings (pause_bookings) needs the manager role or higher; you are staff.',
      field: null,
    }]);
    expect(first.result?.text).toContain('Ask Ana Ferreira (owner) or Bruno Matos (manager).');
    expect(first.result?.workflows).toBeUndefined();
    expect(first.result?.memory).toBeUndefined();

    await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-carla', text: 'Pause bookings for tonight', eventId });
    const rows = await auditRows(eventId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'pause_bookings', allowed: false, user_id: 'u-carla', business_id: TABERNA });
    expect(rows[0]!.detail).toMatchObject({ role: 'staff', required: 'manager', intent: 'pause_bookings' });
    // Nothing changed.
    const { rows: biz } = await db.pool.query('select accepting_bookings from businesses where id = $1', [TABERNA]);
    expect(biz[0].accepting_bookings).toBe(true);
  });

  it('denies someone who is not a member even analytics, and audits it', async () => {
    const eventId = randomUUID();
    const r = await ask(analyticsAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-diego', text: 'how many messages this week?', eventId });
    expect(r.result?.outcome).toBe('DENIED');
    expect(r.result?.notices?.[0]?.code).toBe('FORBIDDEN');
    expect(r.result?.notices?.[0]?.message).toContain('you are not a member of this business');
    const rows = await auditRows(eventId);
    expect(rows).toEqual([expect.objectContaining({ action: 'view_analytics', allowed: false, user_id: 'u-diego' })]);
    expect(rows[0]!.detail.role).toBeNull();
  });

  it("denies a non-member what's running, and staff cancelling a workflow, before Temporal is asked, audited", async () => {
    // This runner has no workflow manager: reaching Temporal would throw, so the denials come first.
    const lookEvent = randomUUID();
    const look = await ask(workflowsAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-diego', text: "what's running?", eventId: lookEvent });
    expect(look.input.understanding.intent).toBe('workflows_list');
    expect(look.result?.outcome).toBe('DENIED');
    expect(look.result?.notices).toEqual([{ code: 'FORBIDDEN', field: null, message: 'Viewing workflows (view_workflows) needs the staff role or higher; you are not a member of this business.' }]);
    expect(await auditRows(lookEvent)).toEqual([expect.objectContaining({ action: 'view_workflows', allowed: false, user_id: 'u-diego', business_id: TABERNA })]);

    const cancelEvent = randomUUID();
    const text = 'cancel workflow reservation-3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const cancel = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-carla', text, eventId: cancelEvent });
    expect(cancel.input.understanding.intent).toBe('workflow_cancel');
    expect(cancel.result?.outcome).toBe('DENIED');
    expect(cancel.result?.notices?.[0]?.message).toBe('Cancelling a workflow (cancel_workflow) needs the manager role or higher; you are staff.');
    expect(cancel.result?.text).toContain('Ask Ana Ferreira (owner) or Bruno Matos (manager).');
    expect(cancel.result?.workflows).toBeUndefined();
    expect(cancel.result?.memory).toBeUndefined();
    const rows = await auditRows(cancelEvent);
    expect(rows).toEqual([expect.objectContaining({ action: 'cancel_workflow', allowed: false, user_id: 'u-carla' })]);
    expect(rows[0]!.detail).toMatchObject({ role: 'staff', required: 'manager', intent: 'workflow_cancel', request: text });
  });

  it('denies a manager changing opening hours (owner only)', async () => {
    const eventId = randomUUID();
    const r = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-bruno', text: 'Set our hours to 9 to 6 on Saturday', eventId });
    expect(r.input.understanding.intent).toBe('set_hours');
    expect(r.result?.outcome).toBe('DENIED');
    expect(r.result?.notices?.[0]?.message).toBe('Changing opening hours (set_hours) needs the owner role or higher; you are manager.');
    expect(await auditRows(eventId)).toHaveLength(1);
  });

  it('answers analytics from the data with METRIC cards', async () => {
    const volume = await ask(analyticsAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-carla', text: 'How many messages did we get in the last 7 days?' });
    expect(volume.input.understanding.intent).toBe('analytics_volume');
    expect(volume.result?.outcome).toBe('ANSWERED');
    // The seed: one customer conversation (Diego's) with 2 messages and 2 replies; staff dashboards do not count.
    expect(volume.result?.cards?.[0]).toMatchObject({
      kind: 'METRIC', title: 'Message volume',
      fields: expect.objectContaining({ 'Customer messages': '2', 'Assistant replies': '2', Conversations: '1', Customers: '1' }),
    });
    expect(volume.result?.text).toMatch(/^Taberna do Largo, the last 7 days \(.*\): 2 customer messages in 1 conversation from 1 customer/);

    const bookings = await ask(analyticsAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'Show me our bookings' });
    expect(bookings.input.understanding.intent).toBe('analytics_bookings');
    const upcoming = bookings.result?.cards?.find((c) => c.title === 'Upcoming bookings');
    // b01 (confirmed, tomorrow) and b02 (pending, in two days).
    expect(upcoming?.fields.Upcoming).toBe('2');
    expect(bookings.result?.cards?.filter((c) => c.kind === 'BOOKING').map((c) => c.fields.People)).toEqual(['4', '2']);

    const lastMonth = await ask(analyticsAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'How many bookings in the last 30 days?' });
    const counts = lastMonth.result?.cards?.find((c) => c.title === 'Bookings');
    // b03 completed (3 days ago, 6 people) and b04 cancelled (yesterday, 2 people, not counted as guests).
    expect(counts?.fields).toMatchObject({ Completed: '1', Cancelled: '1', Guests: '6' });

    const top = await ask(analyticsAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-carla', text: 'What are the most common questions?' });
    expect(top.input.understanding.intent).toBe('analytics_top_questions');
    const topics = top.result?.cards?.find((c) => c.title === 'Top topics');
    expect(topics?.fields).toEqual({ '1. Booking requests': '1 message' });
    const repeated = top.result?.cards?.find((c) => c.title === 'Most repeated messages');
    expect(Object.keys(repeated?.fields ?? {})[0]).toBe('1. Hi! Do you have a table for 4 tomorrow at 8pm?');
  });

  it("runs an owner's action only after yes: confirmation, workflow request, then data and audit row", async () => {
    const requestId = randomUUID();
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'Pause bookings for tonight', eventId: requestId });
    expect(request.result?.outcome).toBe('CONFIRMATION_REQUESTED');
    expect(request.result?.text).toMatch(/^Please confirm: I will pause new bookings for Taberna do Largo/);
    expect(request.result?.cards?.[0]).toMatchObject({ kind: 'ACTION', title: 'Pause bookings', businessId: TABERNA });
    expect(request.result?.task).toEqual({ pendingSlots: [], awaitingConfirmation: true, description: 'pause_bookings awaiting confirmation' });
    expect(request.result?.workflows).toBeUndefined();
    let { rows } = await db.pool.query('select accepting_bookings from businesses where id = $1', [TABERNA]);
    expect(rows[0].accepting_bookings).toBe(true);

    const confirmId = randomUUID();
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'yes', eventId: confirmId, ...carried(request) });
    expect(yes.input.understanding.intent).toBe('confirm');
    expect(yes.result?.outcome).toBe('WORKFLOW_STARTED');
    expect(yes.result?.task).toBeNull();
    expect(yes.result?.memory).toEqual({});
    const { workflowId, input } = workflowInput(yes.result);
    expect(workflowId).toBe(managementWorkflowId(confirmId));
    expect(input).toMatchObject({ action: 'pause_bookings', businessId: TABERNA, userId: 'u-ana', causationId: confirmId, chatType: 'DASHBOARD', params: {} });

    const done = await runAction({ ...input, workflowId });
    expect(done.summary).toBe('Bookings paused');
    ({ rows } = await db.pool.query('select accepting_bookings from businesses where id = $1', [TABERNA]));
    expect(rows[0].accepting_bookings).toBe(false);
    const audit = await db.pool.query(`select action, allowed, user_id, detail from audit_log where detail->>'workflowId' = $1`, [workflowId]);
    expect(audit.rows).toEqual([expect.objectContaining({ action: 'pause_bookings', allowed: true, user_id: 'u-ana' })]);
    expect(audit.rows[0].detail).toMatchObject({ outcome: 'completed', causationId: confirmId });

    // Paused now: asking again needs no confirmation, and resuming goes the same way.
    const again = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'pause bookings' });
    expect(again.result?.outcome).toBe('ANSWERED');
    expect(again.result?.text).toMatch(/already paused/);
    const resume = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-bruno', text: 'resume bookings' });
    expect(resume.result?.outcome).toBe('CONFIRMATION_REQUESTED');
    const resumeYes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-bruno', text: 'confirm', ...carried(resume) });
    const resumed = workflowInput(resumeYes.result);
    await runAction({ ...resumed.input, workflowId: resumed.workflowId });
    ({ rows } = await db.pool.query('select accepting_bookings from businesses where id = $1', [TABERNA]));
    expect(rows[0].accepting_bookings).toBe(true);
  });

  it('discards the pending action on "no", keeps it on anything else, and says when nothing waits', async () => {
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'announce: Fado night moves to Friday' });
    expect(request.result?.outcome).toBe('CONFIRMATION_REQUESTED');
    expect(request.result?.cards?.[0]?.fields.Text).toBe('Fado night moves to Friday');

    const unclear = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'hmm what about the weather', ...carried(request) });
    expect(unclear.result?.text).toMatch(/^I'm waiting for your answer: shall I post this announcement/);
    expect(unclear.result?.memory).toBeUndefined(); // unchanged: still pending
    expect(unclear.result?.task).toBeUndefined();

    const no = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'no', ...carried(request) });
    expect(no.input.understanding.intent).toBe('reject');
    expect(no.result).toMatchObject({ outcome: 'ANSWERED', memory: {}, task: null });
    expect(no.result?.text).toMatch(/^OK, discarded: I will not post this announcement/);
    expect(no.result?.workflows).toBeUndefined();

    const nothing = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'yes' });
    expect(nothing.result?.text).toBe('Nothing is waiting for your confirmation.');
    expect(nothing.result?.workflows).toBeUndefined();
  });

  it('checks the role again on "yes": a demoted owner is denied and audited', async () => {
    const business = 'lis-barbearia-do-cais';
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: 'u-ana', text: 'announce: closed for a private event on Monday' });
    expect(request.result?.outcome).toBe('CONFIRMATION_REQUESTED');
    await db.pool.query(`update members set role = 'staff' where business_id = $1 and user_id = 'u-ana'`, [business]);
    const confirmId = randomUUID();
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: 'u-ana', text: 'yes', eventId: confirmId, ...carried(request) });
    expect(yes.result?.outcome).toBe('DENIED');
    expect(yes.result?.workflows).toBeUndefined();
    expect(yes.result).toMatchObject({ memory: {}, task: null });
    expect(await auditRows(confirmId)).toEqual([expect.objectContaining({ action: 'announcement', allowed: false })]);
    await db.pool.query(`update members set role = 'owner' where business_id = $1 and user_id = 'u-ana'`, [business]);
  });

  it('does not run a "yes" given more than 15 minutes after the question', async () => {
    const asked = new Date('2026-11-25T10:00:00Z');
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'announce: late', now: asked });
    const yes = await ask(managementAgent, {
      chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'yes', now: new Date(asked.getTime() + 16 * 60_000), ...carried(request),
    });
    expect(yes.result?.outcome).toBe('ANSWERED');
    expect(yes.result?.text).toMatch(/expired/);
    expect(yes.result?.workflows).toBeUndefined();
  });

  it('cancels a named booking after confirmation, and lists bookings when none is named', async () => {
    const which = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-bruno', text: 'cancel a booking' });
    expect(which.result?.outcome).toBe('ANSWERED');
    const listed = which.result?.cards?.filter((c) => c.kind === 'BOOKING') ?? [];
    expect(listed.length).toBeGreaterThan(0);
    const bookingId = listed[0]!.fields.Booking!;

    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-bruno', text: `cancel booking ${bookingId}` });
    expect(request.result?.outcome).toBe('CONFIRMATION_REQUESTED');
    expect(request.result?.text).toContain(`cancel the confirmed booking ${bookingId} at Taberna do Largo: 4 people`);
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-bruno', text: 'yes please', ...carried(request) });
    const { workflowId, input } = workflowInput(yes.result);
    expect(input.params).toEqual({ bookingId });
    const done = await runAction({ ...input, workflowId });
    expect(done.summary).toBe(`Booking ${bookingId} cancelled`);
    const { rows } = await db.pool.query('select status from bookings where id = $1', [bookingId]);
    expect(rows[0].status).toBe('cancelled');

    // Another business's booking is not this business's to cancel.
    const { rows: other } = await db.pool.query(`select id::text from bookings where business_id = 'lis-marisqueira-do-cais' limit 1`);
    const foreign = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-bruno', text: `cancel booking ${other[0].id}` });
    expect(foreign.result?.text).toBe(`There is no booking ${other[0].id} at Taberna do Largo.`);
  });

  it('sets opening hours for the owner after confirmation', async () => {
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'We are closed on Tuesdays' });
    expect(request.input.understanding.intent).toBe('set_hours');
    expect(request.result?.outcome).toBe('CONFIRMATION_REQUESTED');
    expect(request.result?.cards?.[0]?.fields.Tuesday).toBe('12:00–15:00, 19:00–23:00 → closed');
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'yes', ...carried(request) });
    const { workflowId, input } = workflowInput(yes.result);
    await runAction({ ...input, workflowId });
    const { rows } = await db.pool.query('select count(*)::int as n from opening_hours where business_id = $1 and weekday = 2', [TABERNA]);
    expect(rows[0].n).toBe(0);
  });

  it('helps members with what their role allows, and denies strangers', async () => {
    const staff = await ask(helpAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-carla', text: 'blah' });
    expect(staff.result?.text).toMatch(/^I didn't catch that\. As staff of Taberna do Largo you can ask me about: message volumes/);
    expect(staff.result?.text).not.toContain('opening hours');
    const stranger = await ask(helpAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-nobody', text: 'blah' });
    expect(stranger.result?.outcome).toBe('DENIED');
  });

  // ---------------------------------------------------------------------------
  // answers bound to who asked (a dashboard conversation is shared by the members)

  /** A business of the test's own: an owner, a manager and a staff member, each a new user. */
  const team = () => insertTeam(db.pool);
  const setRole = (business: string, userId: string, role: string) =>
    db.pool.query('update members set role = $3 where business_id = $1 and user_id = $2', [business, userId, role]);
  const refusal = (run: Promise<unknown>) => run.then(() => null, (error: unknown) => error as ApplicationFailure);

  it('records the requester, their role, the business and the conversation with the pending action, and passes them to the workflow', async () => {
    const { business, owner, manager } = await team();
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: manager, text: 'announce: new menu on Monday' });
    expect(request.result?.memory?.pending).toMatchObject({
      action: 'announcement', businessId: business, conversationId: request.input.message.conversationId,
      requestedBy: { userId: manager, role: 'manager' }, requestEventId: request.input.message.eventId,
    });
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: owner, text: 'yes', ...carried(request) });
    expect(yes.result?.outcome).toBe('WORKFLOW_STARTED');
    expect(yes.result?.text).toMatch(/\(asked by manager \w+ \(manager\); confirmed by you as owner\)/);
    expect(workflowInput(yes.result).input).toMatchObject({ businessId: business, userId: owner, requestedBy: { userId: manager, role: 'manager' } });
  });

  it("refuses another member's yes or no to someone else's request and keeps it waiting, audited", async () => {
    const { business, owner, manager, staff } = await team();
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: owner, text: 'announce: closed for inventory' });
    for (const [userId, text] of [[manager, 'yes'], [staff, 'no'], ['u-ana', 'yes']] as const) {
      const eventId = randomUUID();
      const answer = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId, text, eventId, ...carried(request) });
      expect(answer.result?.outcome).toBe('DENIED');
      expect(answer.result?.notices?.[0]?.code).toBe('FORBIDDEN');
      expect(answer.result?.text).toMatch(/^Only Owner \(owner\), who asked to post this announcement .* can (confirm|decline) it; you are (manager|staff|not a member of this business)\. It is still waiting for their answer\.$/);
      expect(answer.result?.workflows).toBeUndefined();
      expect(answer.result?.memory).toBeUndefined(); // still pending
      expect(answer.result?.task).toBeUndefined();
      expect(await auditRows(eventId)).toEqual([expect.objectContaining({ action: 'announcement', allowed: false, user_id: userId })]);
    }
    const chatter = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: staff, text: 'hmm what about the weather', ...carried(request) });
    expect(chatter.result?.text).toMatch(/^I'm waiting for Owner \(owner\) to answer: shall I post this announcement/);
    expect(chatter.result?.memory).toBeUndefined();
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: owner, text: 'yes', ...carried(request) });
    expect(yes.result?.outcome).toBe('WORKFLOW_STARTED');
  });

  it("lets a higher role decline a manager's request, audited as declined by the owner", async () => {
    const { business, owner, manager } = await team();
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: manager, text: 'pause bookings' });
    const eventId = randomUUID();
    const no = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: owner, text: 'no', eventId, ...carried(request) });
    expect(no.result).toMatchObject({ outcome: 'ANSWERED', memory: {}, task: null });
    expect(no.result?.text).toMatch(/^OK, discarded: I will not pause new bookings .* \(manager \w+ \(manager\) asked for it\)\.$/);
    const rows = (await db.pool.query('select user_id, allowed, requested_by, decided_by, decision, detail from audit_log where detail->>\'eventId\' = $1', [eventId])).rows;
    expect(rows).toEqual([expect.objectContaining({ user_id: owner, allowed: true, requested_by: manager, decided_by: owner, decision: 'declined' })]);
    expect(rows[0].detail).toMatchObject({ outcome: 'declined', declinedAs: 'higher_role', role: 'owner', requesterRole: 'manager' });
  });

  it("replaces a waiting request only for its requester or a higher role; a replacement is audited as declined", async () => {
    const { business, owner, manager } = await team();
    const first = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: owner, text: 'announce: first' });
    const theirs = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: manager, text: 'announce: second', ...carried(first) });
    expect(theirs.result?.outcome).toBe('DENIED');
    expect(theirs.result?.text).toMatch(/can replace it with another request; you are manager\. It is still waiting/);
    expect(theirs.result?.memory).toBeUndefined(); // the owner's request still waits

    const eventId = randomUUID();
    const own = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: owner, text: 'announce: third', eventId, ...carried(first) });
    expect(own.result?.outcome).toBe('CONFIRMATION_REQUESTED');
    expect(own.result?.text).toMatch(/\(This replaces the earlier request to post this announcement for Taberna de Teste: “first”\.\)$/);
    expect(await auditRows(eventId)).toEqual([expect.objectContaining({ action: 'announcement', allowed: true, user_id: owner })]);
    const [row] = (await db.pool.query(`select decision, decided_by, requested_by, detail->>'replacedBy' as replaced_by from audit_log where detail->>'eventId' = $1`, [eventId])).rows;
    expect(row).toEqual({ decision: 'declined', decided_by: owner, requested_by: owner, replaced_by: 'announcement' });
  });

  it('never runs a pending action kept without its requester, or one of another conversation', async () => {
    const old = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'announce: from an older processor' });
    const { requestedBy, conversationId, ...rest } = old.result!.memory!.pending as Record<string, unknown>;
    // The shape an older processor kept: requestedBy was the user id alone, no conversation.
    const legacy = { ...carried(old), memory: { pending: { ...rest, requestedBy: (requestedBy as { userId: string }).userId } } as JsonObject };
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'yes', ...legacy });
    expect(yes.result).toMatchObject({ outcome: 'ANSWERED', memory: {}, task: null });
    expect(yes.result?.text).toMatch(/^I can't tell who asked to post this announcement .*, so I did not run it/);
    expect(yes.result?.workflows).toBeUndefined();

    const elsewhere = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'yes', ...carried(old), conversationId: `${conversationId as string}-other` });
    expect(elsewhere.result?.workflows).toBeUndefined();
    expect(elsewhere.result?.text).toMatch(/so I did not run it/);
  });

  it('refuses a yes about another business than the pending action', async () => {
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: TABERNA, userId: 'u-ana', text: 'announce: only at the taberna' });
    const eventId = randomUUID();
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: 'lis-cafe-garrett', userId: 'u-ana', text: 'yes', eventId, ...carried(request) });
    expect(yes.result?.outcome).toBe('DENIED');
    expect(yes.result?.notices).toEqual([{ code: 'FORBIDDEN', field: 'businessId', message: 'This confirm is about business lis-cafe-garrett; the pending announcement is for lis-taberna-do-largo.' }]);
    expect(yes.result?.workflows).toBeUndefined();
    expect(yes.result?.memory).toBeUndefined();
    expect(await auditRows(eventId)).toEqual([expect.objectContaining({ business_id: TABERNA, allowed: false, action: 'announcement' })]);
  });

  it("the activity reads the confirmer's role again and refuses one who lost it, once, audited, changing nothing", async () => {
    const { business, owner, manager } = await team();
    const request = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: manager, text: 'pause bookings' });
    const yes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: manager, text: 'yes', ...carried(request) });
    const { workflowId, input } = workflowInput(yes.result);
    await setRole(business, manager, 'staff');

    const failure = await refusal(runAction({ ...input, workflowId }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true, message: `Pausing bookings needs the manager role or higher; ${manager} is staff now.` });
    // A retry of the same workflow finds the refusal, and refuses again without a second row.
    expect(await refusal(runAction({ ...input, workflowId }))).toMatchObject({ type: 'Forbidden', message: failure!.message });
    const rows = (await db.pool.query('select user_id, allowed, requested_by, decided_by, decision, detail from audit_log where detail->>\'workflowId\' = $1', [workflowId])).rows;
    expect(rows).toEqual([expect.objectContaining({ user_id: manager, allowed: false, requested_by: manager, decided_by: manager, decision: 'confirmed' })]);
    expect(rows[0].detail).toMatchObject({ outcome: 'refused', confirmerRole: 'staff', requesterRole: 'manager' });
    expect((await db.pool.query('select accepting_bookings from businesses where id = $1', [business])).rows[0].accepting_bookings).toBe(true);

    // An owner who confirmed a manager's request and is a manager now no longer outranks the requester.
    await setRole(business, manager, 'manager');
    const again = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: manager, text: 'pause bookings' });
    const ownerYes = await ask(managementAgent, { chatType: 'DASHBOARD', businessId: business, userId: owner, text: 'yes', ...carried(again) });
    const byOwner = workflowInput(ownerYes.result);
    await setRole(business, owner, 'manager');
    expect(await refusal(runAction({ ...byOwner.input, workflowId: byOwner.workflowId }))).toMatchObject({
      type: 'Forbidden', message: `Only ${manager}, who asked for it, or a member above manager may confirm it; ${owner} is manager now.`,
    });
    // Removed from the business altogether.
    await db.pool.query('delete from members where business_id = $1 and user_id = $2', [business, owner]);
    expect(await refusal(runAction({ ...byOwner.input, workflowId: `${byOwner.workflowId}-removed` }))).toMatchObject({
      type: 'Forbidden', message: `Pausing bookings needs the manager role or higher; ${owner} is not a member of ${business} now.`,
    });
  });

  it('checks the role alone for a workflow started before requesters were recorded, and audits the requester as unknown', async () => {
    const { business, owner, staff } = await team();
    const legacy = { action: 'announcement' as const, businessId: business, params: { text: 'from an old workflow' }, conversationId: 'c-legacy', causationId: randomUUID() };
    expect(await refusal(runAction({ ...legacy, userId: staff, workflowId: `legacy-${randomUUID()}` }))).toMatchObject({
      type: 'Forbidden', message: `Posting an announcement needs the manager role or higher; ${staff} is staff now.`,
    });
    const workflowId = `legacy-${randomUUID()}`;
    expect((await runAction({ ...legacy, userId: owner, workflowId })).summary).toBe('Announcement published');
    const [row] = (await db.pool.query('select requested_by, decided_by, decision, detail from audit_log where detail->>\'workflowId\' = $1', [workflowId])).rows;
    expect(row).toMatchObject({ requested_by: null, decided_by: owner, decision: 'confirmed', detail: { confirmedAs: 'requester_unknown', requesterRole: null } });
  });
});
