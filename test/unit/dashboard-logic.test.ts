// The DASHBOARD chat's pure logic: the role policy, who may answer a pending action,
// periods, and management plans.
import { describe, expect, it } from 'vitest';
import {
  announcementText, isExpired, type PendingAction, PENDING_TTL_MS, planAnnouncement, planCancelBooking, planHours, planPauseResume, readPending,
} from '../../processors/dashboard/actions.js';
import { capabilities } from '../../processors/dashboard/agents.js';
import { lastDays, localDate, parsePeriod } from '../../processors/dashboard/periods.js';
import { topQuestionsAnswer, volumeAnswer } from '../../processors/dashboard/metrics.js';
import { authorize, POLICY, roleAtLeast } from '../../processors/dashboard/policy.js';
import type { BookingRow, HoursRow } from '../../processors/dashboard/tools.js';
import {
  bookingScope, bookingWorkflowsAnswer, cancelReason, listView, planCancelWorkflow, workflowsAnswer,
} from '../../processors/dashboard/workflows.js';
import type { WorkflowSummary } from '../../src/workflows/visibility.js';
import { decisionRight, refusalReason } from '../../src/workflows/authority.js';
import { validateManagementActionInput } from '../../src/workflows/validate.js';

describe('role policy', () => {
  it('orders roles owner > manager > staff', () => {
    expect(roleAtLeast('owner', 'manager')).toBe(true);
    expect(roleAtLeast('manager', 'manager')).toBe(true);
    expect(roleAtLeast('staff', 'manager')).toBe(false);
    expect(roleAtLeast('manager', 'owner')).toBe(false);
  });

  it('gives every action a least role', () => {
    expect(POLICY).toEqual({
      view_dashboard: 'staff',
      view_analytics: 'staff',
      view_workflows: 'staff',
      cancel_workflow: 'manager',
      announcement: 'manager',
      pause_bookings: 'manager',
      resume_bookings: 'manager',
      cancel_booking: 'manager',
      set_hours: 'owner',
      view_handoffs: 'staff',
      answer_handoff: 'staff',
      close_handoff: 'staff',
    });
  });

  it.each([
    ['view_analytics', 'staff', true],
    ['view_analytics', null, false],
    ['pause_bookings', 'staff', false],
    ['pause_bookings', 'manager', true],
    ['cancel_booking', 'manager', true],
    ['announcement', 'staff', false],
    ['set_hours', 'manager', false],
    ['set_hours', 'owner', true],
    ['view_workflows', 'staff', true],
    ['view_workflows', null, false],
    ['cancel_workflow', 'staff', false],
    ['cancel_workflow', 'manager', true],
  ] as const)('%s by %s: allowed=%s', (action, role, allowed) => {
    expect(authorize(action, role).allowed).toBe(allowed);
  });

  it('names the action and the role needed in a denial', () => {
    expect(authorize('pause_bookings', 'staff').reason).toBe('Pausing bookings needs the manager role or higher; you are staff.');
    expect(authorize('view_analytics', null).reason).toBe('Viewing analytics needs the staff role or higher; you are not a member of this business.');
  });

  it('tells each role what it can do', () => {
    expect(capabilities('staff')).toHaveLength(3);
    expect(capabilities('manager')).toHaveLength(7);
    expect(capabilities('owner')).toHaveLength(8);
    expect(capabilities('staff').join('; ')).toContain('what is running');
    expect(capabilities('staff').join('; ')).not.toContain('cancelling a workflow');
  });
});

describe('who may answer a pending action', () => {
  const manager = { userId: 'u-bruno', role: 'manager' as const };
  const owner = { userId: 'u-ana', role: 'owner' as const };

  it.each([
    // [action, requester, decider, role of the decider now, right]
    ['announcement', manager, 'u-bruno', 'manager', { allowed: true, as: 'requester' }],
    ['announcement', manager, 'u-ana', 'owner', { allowed: true, as: 'higher_role' }],
    ['announcement', manager, 'u-other', 'manager', { allowed: false, why: 'not_requester', required: 'manager' }],
    ['announcement', manager, 'u-carla', 'staff', { allowed: false, why: 'role_too_low', required: 'manager' }],
    ['announcement', manager, 'u-diego', null, { allowed: false, why: 'not_member', required: 'manager' }],
    ['announcement', owner, 'u-bruno', 'manager', { allowed: false, why: 'not_requester', required: 'manager' }],
    ['announcement', owner, 'u-co-owner', 'owner', { allowed: false, why: 'not_requester', required: 'manager' }],
    ['set_hours', owner, 'u-ana', 'manager', { allowed: false, why: 'role_too_low', required: 'owner' }],
    ['pause_bookings', manager, 'u-bruno', 'staff', { allowed: false, why: 'role_too_low', required: 'manager' }],
    ['pause_bookings', null, 'u-bruno', 'manager', { allowed: true, as: 'requester_unknown' }],
    ['set_hours', null, 'u-bruno', 'manager', { allowed: false, why: 'role_too_low', required: 'owner' }],
  ] as const)('%s asked by %o, answered by %s as %s', (action, requester, userId, role, right) => {
    expect(decisionRight(action, requester, { userId, role })).toEqual(right);
  });

  it('says why the worker refuses, naming the people', () => {
    const at = { businessId: 'lis-x' };
    expect(refusalReason('announcement', { allowed: false, why: 'role_too_low', required: 'manager' }, { ...at, userId: 'u-b', role: 'staff' }, manager))
      .toBe('Posting an announcement needs the manager role or higher; u-b is staff now.');
    expect(refusalReason('set_hours', { allowed: false, why: 'not_member', required: 'owner' }, { ...at, userId: 'u-b', role: null }, null))
      .toBe('Changing opening hours needs the owner role or higher; u-b is not a member of lis-x now.');
    expect(refusalReason('announcement', { allowed: false, why: 'not_requester', required: 'manager' }, { ...at, userId: 'u-a', role: 'manager' }, manager))
      .toBe('Only u-bruno, who asked for it, or a member above manager may confirm it; u-a is manager now.');
  });

  const pending: PendingAction = {
    action: 'pause_bookings', businessId: 'lis-x', conversationId: 'c-1', params: {}, description: 'pause new bookings for X',
    requestedBy: manager, requestEventId: 'e-1', requestedAt: 1,
  };

  it('reads a pending action bound to its requester, business and conversation', () => {
    expect(readPending({}, 'c-1')).toEqual({ kind: 'none' });
    expect(readPending({ pending: pending as never }, 'c-1')).toEqual({ kind: 'pending', pending });
  });

  it('never treats an unbound pending action as runnable', () => {
    const unbound = { kind: 'unbound', description: 'pause new bookings for X' };
    // Kept by an older processor: requestedBy was the user id alone, and no conversation.
    const { conversationId: _, ...older } = { ...pending, requestedBy: 'u-bruno' };
    expect(readPending({ pending: older as never }, 'c-1')).toEqual(unbound);
    expect(readPending({ pending: pending as never }, 'c-2')).toEqual(unbound);
    expect(readPending({ pending: { ...pending, requestedBy: { userId: 'u-bruno', role: 'boss' } } as never }, 'c-1')).toEqual(unbound);
    expect(readPending({ pending: { ...pending, action: 'delete_everything' } as never }, 'c-1')).toEqual(unbound);
    expect(readPending({ pending: 'pause' }, 'c-1')).toEqual({ kind: 'unbound', description: 'do what was asked earlier' });
  });

  it('carries the requester into the workflow input, and rejects a malformed one', () => {
    const base = { action: 'pause_bookings', businessId: 'lis-x', userId: 'u-ana', params: {}, conversationId: 'c-1', causationId: null };
    expect(validateManagementActionInput({ ...base, requestedBy: manager }).requestedBy).toEqual(manager);
    // Absent: a workflow started before requesters were recorded (the activity checks the role alone).
    expect(validateManagementActionInput(base)).not.toHaveProperty('requestedBy');
    expect(validateManagementActionInput({ ...base, requestedBy: null })).not.toHaveProperty('requestedBy');
    expect(() => validateManagementActionInput({ ...base, requestedBy: { userId: 'u-bruno', role: 'boss' } })).toThrow(/requestedBy.role: expected one of staff, manager, owner/);
    expect(() => validateManagementActionInput({ ...base, requestedBy: { role: 'manager' } })).toThrow(/requestedBy.userId/);
    expect(() => validateManagementActionInput({ ...base, requestedBy: 'u-bruno' })).toThrow(/requestedBy: expected an object/);
  });
});

describe('periods', () => {
  // Wednesday 25 November 2026, 19:30 in Lisbon (UTC+0 in winter).
  const now = new Date('2026-11-25T19:30:00Z');
  const zone = 'Europe/Lisbon';
  const range = (text: string) => {
    const p = parsePeriod(text, now, zone);
    return p && { key: p.key, from: p.from.toISOString(), to: p.to.toISOString() };
  };

  it('reads days, weeks (Monday first) and months on the business clock', () => {
    expect(range('messages today')).toEqual({ key: 'today', from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' });
    expect(range('bookings yesterday?')?.from).toBe('2026-11-24T00:00:00.000Z');
    expect(range('bookings tomorrow')?.from).toBe('2026-11-26T00:00:00.000Z');
    expect(range('how many messages this week')).toEqual({ key: 'this_week', from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' });
    expect(range('last week')).toEqual({ key: 'last_week', from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' });
    expect(range('next week')?.from).toBe('2026-11-30T00:00:00.000Z');
    expect(range('this weekend')).toEqual({ key: 'this_weekend', from: '2026-11-28T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' });
    expect(range('last weekend')?.from).toBe('2026-11-21T00:00:00.000Z');
    expect(range('this month')).toEqual({ key: 'this_month', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    // 1 October is still summer time in Lisbon (+01:00).
    expect(range('last month')).toEqual({ key: 'last_month', from: '2026-09-30T23:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    expect(range('esta semana')?.key).toBe('this_week');
  });

  it('reads rolling windows that include today', () => {
    expect(range('messages in the last 7 days')).toEqual({ key: 'last_7_days', from: '2026-11-19T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' });
    expect(range('past two weeks')?.key).toBe('last_14_days');
    expect(range('next 3 days')).toEqual({ key: 'next_3_days', from: '2026-11-25T00:00:00.000Z', to: '2026-11-28T00:00:00.000Z' });
    expect(lastDays(30, now, zone).from.toISOString()).toBe('2026-10-27T00:00:00.000Z');
  });

  it('follows the zone across DST: a summer day in Lisbon starts at 23:00 UTC', () => {
    const summer = parsePeriod('today', new Date('2026-07-10T12:00:00Z'), zone)!;
    expect(summer.from.toISOString()).toBe('2026-07-09T23:00:00.000Z');
    expect(parsePeriod('today', new Date('2026-11-25T23:30:00Z'), 'America/New_York')!.from.toISOString()).toBe('2026-11-25T05:00:00.000Z');
    expect(localDate(new Date('2026-07-09T23:30:00Z'), zone)).toBe('2026-07-10');
  });

  it('returns nothing when no period is named (the caller says its default)', () => {
    expect(parsePeriod('how many messages do we get', now, zone)).toBeUndefined();
    expect(parsePeriod('last few days', now, zone)).toBeUndefined();
  });

  it('takes the first period named', () => {
    expect(parsePeriod('this week compared to last week', now, zone)!.key).toBe('this_week');
  });
});

describe('management plans', () => {
  const business = { id: 'lis-x', name: 'Taberna X', timeZone: 'Europe/Lisbon', acceptingBookings: true };
  const hours: HoursRow[] = [
    { weekday: 6, opens: '12:00', closes: '15:00' },
    { weekday: 6, opens: '19:00', closes: '23:00' },
  ];

  it('replaces the named days with a full range and shows before → after', () => {
    const plan = planHours({ weekdays: ['sat'], opens: '09:00', closes: '18:00', text: 'open 9 to 6 on Saturday' }, hours, business);
    expect(plan.kind).toBe('confirm');
    if (plan.kind !== 'confirm') return;
    expect(plan.params).toEqual({ days: [{ weekday: 6, intervals: [{ opens: '09:00', closes: '18:00' }] }] });
    expect(plan.description).toBe('set the opening hours of Taberna X (Saturday: 12:00–15:00, 19:00–23:00 → 09:00–18:00)');
    expect(plan.card.kind).toBe('ACTION');
    expect(plan.card.fields.Saturday).toBe('12:00–15:00, 19:00–23:00 → 09:00–18:00');
  });

  it('changes only the end named ("open till 1am") and keeps the lunch break', () => {
    const plan = planHours({ weekdays: ['sat'], closes: '01:00', text: 'till 1am' }, hours, business);
    expect(plan.kind === 'confirm' && plan.params).toEqual({
      days: [{ weekday: 6, intervals: [{ opens: '12:00', closes: '15:00' }, { opens: '19:00', closes: '01:00' }] }],
    });
  });

  it('closes days, and asks rather than guessing the days or a missing time', () => {
    const closed = planHours({ weekdays: ['mon', 'tue'], closed: true, text: 'closed' }, hours, business);
    expect(closed.kind === 'confirm' && closed.params).toEqual({ days: [{ weekday: 1, intervals: [] }, { weekday: 2, intervals: [] }] });
    expect(planHours({ opens: '09:00', closes: '18:00', text: '9 to 6' }, hours, business).kind).toBe('ask');
    expect(planHours({ weekdays: ['mon'], closes: '18:00', text: 'until 6' }, hours, business).kind).toBe('ask');
    expect(planHours(undefined, hours, business).kind).toBe('ask');
  });

  it('does not ask to pause bookings that are already paused', () => {
    expect(planPauseResume('pause_bookings', { ...business, acceptingBookings: false }, 0).kind).toBe('nothing');
    expect(planPauseResume('resume_bookings', business, 0).kind).toBe('nothing');
    const plan = planPauseResume('pause_bookings', business, 3);
    expect(plan.kind === 'confirm' && plan.description).toContain('the 3 upcoming bookings stay as they are');
  });

  const booking: BookingRow = {
    id: '3f2a9c1d-0000-4000-8000-000000000001', startsAt: new Date('2026-11-26T20:00:00Z'), partySize: 4, status: 'confirmed',
    userId: 'u-diego', customer: 'Diego Ramírez', service: null, notes: null, workflowId: 'reservation-x',
  };

  it('plans a cancellation of a live booking only, and lists bookings when none is named', () => {
    const plan = planCancelBooking(booking.id, booking, business, []);
    expect(plan.kind).toBe('confirm');
    if (plan.kind === 'confirm') {
      expect(plan.params).toEqual({ bookingId: booking.id });
      expect(plan.description).toContain('4 people, Thu 26 Nov 20:00, for Diego Ramírez');
    }
    expect(planCancelBooking(booking.id, { ...booking, status: 'completed' }, business, []).kind).toBe('nothing');
    expect(planCancelBooking(booking.id, null, business, []).kind).toBe('ask');
    const which = planCancelBooking(undefined, null, business, [booking]);
    expect(which.kind === 'ask' && which.cards?.map((c) => c.kind)).toEqual(['BOOKING']);
    expect(planCancelBooking('B-123', null, business, []).kind).toBe('ask');
  });

  it('needs the announcement text and keeps it as written', () => {
    expect(planAnnouncement(undefined, business).kind).toBe('ask');
    expect(planAnnouncement('x'.repeat(2001), business).kind).toBe('ask');
    const plan = planAnnouncement(' Fado on Thursday ', business);
    expect(plan.kind === 'confirm' && plan.params).toEqual({ text: 'Fado on Thursday' });
  });

  it('takes the announcement text after the colon of a request to announce', () => {
    expect(announcementText('Post an announcement: fado night every Thursday from 21:00', undefined)).toBe('fado night every Thursday from 21:00');
    expect(announcementText('Tell all our customers: we open at 10 tomorrow', undefined)).toBe('we open at 10 tomorrow');
    expect(announcementText('announce: x', 'x')).toBe('x');
    expect(announcementText('send an announcement', undefined)).toBeUndefined();
  });

  it('lets a pending action expire after 15 minutes', () => {
    const pending = { requestedAt: 1_000_000 } as PendingAction;
    expect(isExpired(pending, new Date(1_000_000 + PENDING_TTL_MS))).toBe(false);
    expect(isExpired(pending, new Date(1_000_001 + PENDING_TTL_MS))).toBe(true);
  });
});

describe('analytics answers', () => {
  const period = { key: 'last_30_days', label: 'the last 30 days', from: new Date(0), to: new Date(1) };

  it('ranks topics by label, merging intents that mean the same, and quotes the most repeated message', () => {
    const answer = topQuestionsAnswer({
      intents: [{ intent: 'faq', messages: 3 }, { intent: 'book', messages: 2 }, { intent: 'make_reservation', messages: 2 }],
      messages: [{ text: 'Do you have parking?', messages: 2 }],
      total: 9,
    }, period, 'lis-x');
    expect(answer.cards[0]!.fields).toEqual({ '1. Booking requests': '4 messages', '2. Practical questions (parking, payment, access…)': '3 messages' });
    expect(answer.text).toBe('Of 9 customer messages the last 30 days, the most common topic is booking requests (4 messages); the most repeated message is “Do you have parking?” (2×).');
  });

  it('says when there is nothing to count rather than showing zeros as if they meant something', () => {
    expect(topQuestionsAnswer({ intents: [], messages: [], total: 0 }, period, 'lis-x').cards).toEqual([]);
    const volume = volumeAnswer({ customerMessages: 0, replies: 0, conversations: 0, customers: 0, busiestDay: null }, period, 'lis-x', 'Taberna X');
    expect(volume.text).toBe('Taberna X had no customer messages the last 30 days.');
    expect(volume.cards[0]!.kind).toBe('METRIC');
  });
});

describe('workflows of the business', () => {
  const business = { id: 'lis-x', name: 'Taberna X', timeZone: 'Europe/Lisbon', acceptingBookings: true };
  const bookingId = '3f2a9c1d-0000-4000-8000-000000000001';
  const workflow = (over: Partial<WorkflowSummary> = {}): WorkflowSummary => ({
    workflowId: `reservation-${bookingId}`, runId: 'r-1', kind: 'reservation', workflowType: 'reservationWorkflow', status: 'Running',
    startTime: new Date('2026-11-26T10:00:00Z'), closeTime: null, businessId: 'lis-x', conversationId: 'c-diego', causationId: 'e-1', ...over,
  });
  const booking: BookingRow = {
    id: bookingId, startsAt: new Date('2026-11-26T20:00:00Z'), partySize: 4, status: 'confirmed',
    userId: 'u-diego', customer: 'Diego Ramírez', service: null, notes: null, workflowId: `reservation-${bookingId}`,
  };

  it('reads which workflows are asked for from the words', () => {
    expect(listView("what's running?")).toBe('running');
    expect(listView('which workflows failed?')).toBe('failed');
    expect(listView('show finished workflows')).toBe('closed');
    expect(bookingScope("show pending bookings' workflows")).toEqual(['pending']);
    expect(bookingScope('workflows of confirmed reservations')).toEqual(['confirmed']);
    expect(bookingScope('booking workflows')).toEqual(['pending', 'confirmed']);
    expect(bookingScope("what's running?")).toBeNull();
  });

  it('counts running workflows by kind, and says when nothing runs', () => {
    const list = { workflows: [workflow(), workflow({ workflowId: 'reservation-2' }), workflow({ workflowId: 'voice-callback-1', kind: 'voiceCallback', workflowType: 'voiceCallbackWorkflow' })], more: false };
    const answer = workflowsAnswer('running', list, business);
    expect(answer.text).toBe('Running now for Taberna X: 3 workflows: 2 reservations (bookings, reminders and completion), 1 voice callback.');
    expect(answer.cards).toHaveLength(3);
    expect(answer.cards[0]).toMatchObject({ kind: 'OTHER', businessId: 'lis-x', fields: { Workflow: `reservation-${bookingId}`, Status: 'Running', Booking: bookingId } });
    expect(workflowsAnswer('running', { workflows: [], more: false }, business).text).toBe('Nothing is running for Taberna X right now.');
    const failed = [workflow({ status: 'Failed', closeTime: new Date('2026-11-26T11:00:00Z') }), workflow({ status: 'TimedOut', closeTime: new Date('2026-11-26T11:00:00Z') })];
    expect(workflowsAnswer('failed', { workflows: failed, more: true }, business).text)
      .toBe('2 or more workflows of Taberna X failed in the last 7 days: 2 reservations (bookings, reminders and completion) (1 failed, 1 timed out).');
    expect(workflowsAnswer('closed', { workflows: [], more: false }, business).text).toBe('No workflow of Taberna X finished in the last 7 days.');
  });

  it("shows each booking's workflow and its status, or that Temporal has none", () => {
    const answer = bookingWorkflowsAnswer([
      { booking, workflowId: booking.workflowId!, workflow: workflow() },
      { booking: { ...booking, id: 'b-2', status: 'pending', workflowId: null }, workflowId: 'reservation-b-2', workflow: null },
    ], 2, ['pending', 'confirmed'], business);
    expect(answer.text).toBe('2 upcoming bookings (pending or confirmed): 1 with its reservation workflow running, 1 without a workflow in Temporal.');
    expect(answer.cards.map((c) => c.fields['Workflow status'])).toEqual(['Running', 'not found']);
    expect(answer.suggestions).toEqual([`Cancel the reminder for booking ${bookingId}`]);
  });

  it('takes the reason after "because", and names the business either way', () => {
    expect(cancelReason('cancel the reminder for booking x because the guest called', 'Taberna X')).toBe('cancelled by Taberna X: the guest called');
    expect(cancelReason('cancel workflow x. Reason: kitchen flooded', 'Taberna X')).toBe('cancelled by Taberna X: kitchen flooded');
    expect(cancelReason('cancel workflow x', 'Taberna X')).toBe('cancelled by Taberna X');
  });

  it('plans cancelling a running workflow, saying a reservation takes its booking with it', () => {
    const plan = planCancelWorkflow({ ref: bookingId, booking, workflow: workflow() }, business, 'cancelled by Taberna X', []);
    expect(plan.kind).toBe('confirm');
    if (plan.kind !== 'confirm') return;
    expect(plan.action).toBe('cancel_workflow');
    expect(plan.params).toEqual({ workflowId: `reservation-${bookingId}`, kind: 'reservation', bookingId, reason: 'cancelled by Taberna X' });
    expect(plan.description).toBe(`stop the reservation workflow reservation-${bookingId} of booking ${bookingId} (4 people, Thu 26 Nov 20:00, for Diego Ramírez): ` +
      'no reminder will be sent, and the workflow cancels the booking and tells the customer “cancelled by Taberna X” (a reminder cannot be stopped without its booking)');
    expect(plan.card).toMatchObject({ kind: 'ACTION', fields: { Action: 'cancel_workflow', Workflow: `reservation-${bookingId}`, After: 'booking cancelled, customer told' } });
    const callback = planCancelWorkflow({ ref: 'voice-callback-1', workflow: workflow({ workflowId: 'voice-callback-1', kind: 'voiceCallback' }) }, business, 'r', []);
    expect(callback.kind === 'confirm' && callback.description).toBe('cancel the voice callback voice-callback-1 (asked for in conversation c-diego): nobody will be called back');
  });

  it('asks which workflow, or says there is nothing to cancel, rather than guessing', () => {
    const which = planCancelWorkflow({ workflow: null }, business, 'r', [workflow()]);
    expect(which.kind === 'ask' && which.cards?.map((c) => c.fields.Workflow)).toEqual([`reservation-${bookingId}`]);
    expect(planCancelWorkflow({ ref: 'reservation-nope', workflow: null }, business, 'r', [])).toEqual({ kind: 'ask', text: 'There is no workflow reservation-nope at Taberna X.' });
    expect(planCancelWorkflow({ ref: bookingId, booking: null, workflow: null }, business, 'r', [])).toEqual({ kind: 'ask', text: `There is no booking ${bookingId} at Taberna X.` });
    expect(planCancelWorkflow({ ref: bookingId, booking, workflow: null }, business, 'r', []).kind).toBe('nothing');
    const ended = planCancelWorkflow({ ref: bookingId, booking, workflow: workflow({ status: 'Completed' }) }, business, 'r', []);
    expect(ended).toEqual({ kind: 'nothing', text: `Workflow reservation-${bookingId} has already ended (completed); there is nothing to cancel.` });
  });

  it('keeps a pending cancel_workflow as a pending action', () => {
    const pending = {
      action: 'cancel_workflow', businessId: 'lis-x', conversationId: 'c-1', params: { workflowId: 'w', kind: 'reservation', bookingId: null, reason: 'r' },
      description: 'stop it', requestedBy: { userId: 'u-bruno', role: 'manager' }, requestEventId: 'e-1', requestedAt: 1,
    };
    expect(readPending({ pending }, 'c-1').kind).toBe('pending');
  });
});
