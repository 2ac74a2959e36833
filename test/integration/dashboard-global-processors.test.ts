// The DASHBOARD and GLOBAL processors turn by turn as the runtime runs them (each
// message at the next offset, the conversation store flushed after it; a workflow
// starter that records what it is asked; a seeded database of the test's own): what
// a client would receive, and the state carried between turns (the pending action,
// the previous answer).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardProcessor } from '../../processors/dashboard/index.js';
import { createGlobalProcessor } from '../../processors/global/index.js';
import type { WorkflowStarter } from '../../processors/shared/deps.js';
import type { AnalyticsEvent, ChatMessage, ChatType, ErrorNotice, GeoPoint, OutboundEvent, Reply } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { createActivities } from '../../src/workflows/activities.js';
import type { ManagementActionInput } from '../../src/workflows/types.js';
import { chatDeps, processInTurn } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const logger = createLogger('test', 'silent');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true, label: 'dash_global' });
});
afterAll(async () => db?.drop());

function conversation(chatType: ChatType, userId: string, businessId: string | null) {
  const started: Array<{ kind: string; input: ManagementActionInput; workflowId?: string }> = [];
  const workflows: WorkflowStarter = {
    startWorkflow: (async (kind: string, input: ManagementActionInput, options: { workflowId?: string }) => {
      started.push({ kind, input, ...(options.workflowId ? { workflowId: options.workflowId } : {}) });
      return { workflowId: options.workflowId ?? 'w', runId: 'r', alreadyStarted: false };
    }) as never,
    cancelWorkflow: (async () => { throw new Error('not expected'); }) as never,
  };
  const deps = chatDeps(db.pool, db.url, workflows);
  const processor = chatType === 'GLOBAL' ? createGlobalProcessor(deps) : createDashboardProcessor(deps);
  const turn = processInTurn(processor, deps);
  const conversationId = `c-${randomUUID().slice(0, 8)}`;
  const say = async (text: string, location: GeoPoint | null = null) => {
    const message: ChatMessage = {
      eventId: randomUUID(), conversationId, chatType, userId, businessId, text,
      channel: 'WEB', locale: 'en-GB', location, sentAt: new Date(), clientMessageId: null, senderRole: null,
    };
    const { outputs } = await turn(message);
    const bodies = outputs.filter((o) => o.topic === 'chat.outbound').map((o) => (o.value as OutboundEvent).body);
    const reply = bodies.find((b): b is Reply => b.type === 'Reply');
    const notices = bodies.filter((b): b is ErrorNotice => b.type === 'ErrorNotice');
    const fact = outputs.find((o) => o.topic === 'chat.analytics')!.value as AnalyticsEvent;
    return { reply, notices, fact, message };
  };
  return { say, started };
}

describe('DASHBOARD turn by turn', () => {
  it('asks, then starts the management workflow on "yes", and the workflow does it with an audit row', async () => {
    const { say, started } = conversation('DASHBOARD', 'u-joao', 'lis-marisqueira-do-cais');
    const ask = await say('Post an announcement: Closed on Christmas Day');
    expect(ask.fact).toMatchObject({ intent: 'announcement', agent: 'management', outcome: 'CONFIRMATION_REQUESTED' });
    expect(ask.reply?.cards.map((c) => c.kind)).toEqual(['ACTION']);
    expect(started).toHaveLength(0);

    const yes = await say('yes');
    expect(yes.fact).toMatchObject({ intent: 'confirm', agent: 'management', outcome: 'WORKFLOW_STARTED' });
    expect(yes.fact.agentReason).toMatch(/continues management's announcement awaiting confirmation/);
    expect(started).toEqual([{ kind: 'managementAction', workflowId: `management-${yes.message.eventId}`, input: expect.objectContaining({ action: 'announcement', params: { text: 'Closed on Christmas Day' } }) }]);

    const activities = createActivities({ pool: db.pool, codec: {} as never, producer: {} as never, config: { topicPrefix: '' }, logger });
    await activities.runManagementAction({ ...started[0]!.input, workflowId: started[0]!.workflowId! });
    const { rows } = await db.pool.query(`select text, created_by from announcements where business_id = 'lis-marisqueira-do-cais'`);
    expect(rows).toEqual([{ text: 'Closed on Christmas Day', created_by: 'u-joao' }]);
    const audit = await db.pool.query(`select allowed from audit_log where action = 'announcement' and detail->>'workflowId' = $1`, [started[0]!.workflowId]);
    expect(audit.rows).toEqual([{ allowed: true }]);

    // The task is closed: another "yes" has nothing to confirm and starts nothing.
    const again = await say('yes');
    expect(again.reply?.text).toBe('Nothing is waiting for your confirmation.');
    expect(started).toHaveLength(1);
  });

  it('emits a FORBIDDEN ErrorNotice and a DENIED fact for a staff member', async () => {
    const { say, started } = conversation('DASHBOARD', 'u-ines', 'lis-clinica-das-avenidas');
    const denied = await say('Cancel all bookings for tomorrow');
    expect(denied.fact.outcome).toBe('DENIED');
    expect(denied.notices).toEqual([expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringContaining('cancel_booking') })]);
    expect(started).toHaveLength(0);
    const audit = await db.pool.query(`select allowed, detail->>'role' as role from audit_log where detail->>'eventId' = $1`, [denied.message.eventId]);
    expect(audit.rows).toEqual([{ allowed: false, role: 'staff' }]);
  });

  it('answers analytics and leaves a pending action waiting', async () => {
    const { say, started } = conversation('DASHBOARD', 'u-ana', 'lis-taberna-do-largo');
    // "for tonight" also asks about tonight's bookings: analytics adds them to the question.
    const ask = await say('Pause bookings for tonight');
    expect(ask.fact).toMatchObject({ agent: 'management', outcome: 'CONFIRMATION_REQUESTED' });
    expect(ask.reply?.agent).toBe('management+analytics');
    expect(ask.reply?.cards.map((c) => c.title).slice(0, 2)).toEqual(['Pause bookings', 'Bookings']);
    expect(ask.reply?.cards[1]?.subtitle).toMatch(/^today/);
    const stats = await say('how many bookings do we have this week?');
    expect(stats.fact).toMatchObject({ agent: 'analytics', outcome: 'ANSWERED' });
    expect(stats.reply?.cards.some((c) => c.kind === 'METRIC')).toBe(true);
    const no = await say('no');
    expect(no.reply?.text).toMatch(/^OK, discarded: I will not pause new bookings/);
    expect(started).toHaveLength(0);
  });
});

describe('GLOBAL turn by turn', () => {
  it('searches near the sender, then compares "them" from the previous answer', async () => {
    const { say } = conversation('GLOBAL', 'u-eva', null);
    const search = await say('wine bar near me', { lat: 38.7106, lon: -9.142 });
    expect(search.fact).toMatchObject({ intent: 'search', agent: 'discovery', outcome: 'ANSWERED' });
    expect(search.reply?.cards[0]?.title).toBe('Vinhos do Chiado');
    const compare = await say('compare them', { lat: 38.7106, lon: -9.142 });
    expect(compare.fact).toMatchObject({ intent: 'compare', agent: 'comparison' });
    expect(compare.reply?.cards.map((c) => c.kind).every((k) => k === 'COMPARISON')).toBe(true);
    expect(compare.reply?.cards[0]?.title).toBe('Vinhos do Chiado');
    // A question about "it" is about the first place of the last answer.
    const open = await say('is it open now?', { lat: 38.7106, lon: -9.142 });
    expect(open.fact).toMatchObject({ agent: 'discovery', outcome: 'ANSWERED' });
    expect(open.reply?.cards[0]?.title).toBe('Vinhos do Chiado');
    expect(open.reply?.text).toMatch(/Opening hours: Mon Closed; Tue 16:00–01:00/);
  });

  it('recommends in a named neighbourhood', async () => {
    const { say } = conversation('GLOBAL', 'u-eva', null);
    const r = await say('Can you recommend a good barber in Campo de Ourique?');
    expect(r.fact).toMatchObject({ intent: 'recommend', agent: 'recommendation' });
    expect(r.reply?.cards[0]?.title).toBe('Barbearia Ourique');
    expect(r.reply?.cards[0]?.fields.Distance).toMatch(/from Campo de Ourique$/);
  });
});
