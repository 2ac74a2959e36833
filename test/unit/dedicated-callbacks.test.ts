// The pure part of voice callbacks from chat: the time the customer asked for, on the
// business's clock, and the question back when it cannot be used as said.
import { describe, expect, it } from 'vitest';
import { callbackQuestion, mergeCallbackDraft, resolveCallbackTime, type CallbackDraft, type CallbackTime } from '../../processors/dedicated/callback-time.js';
import type { HoursRow } from '../../processors/dedicated/hours.js';
import { halfOfDay, understand } from '../../src/understanding/index.js';

// Wednesday 25 November 2026, 15:00 in Lisbon (+00:00), 10:00 in New York (-05:00).
const NOW = new Date('2026-11-25T15:00:00Z');
const LISBON = 'Europe/Lisbon';
const everyDay = (opens: string, closes: string): HoursRow[] => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens, closes }));
// A shop: Tue–Sun 09:00–19:00, closed on Mondays.
const SHOP: HoursRow[] = everyDay('09:00', '19:00').filter((r) => r.weekday !== 1);
// A gym open early and late: both readings of "at 5" are plausible there.
const GYM = everyDay('05:00', '23:00');

/** The draft after `texts`, one message each, as the callbacks agent merges them. */
function draftOf(texts: string[], { now = NOW, timeZone = LISBON } = {}): CallbackDraft {
  let draft: CallbackDraft = {};
  for (const text of texts) {
    const { entities } = understand(text, { chatType: 'DEDICATED', now, timeZone, pendingSlots: ['time'] });
    const half = halfOfDay(text);
    draft = mergeCallbackDraft(draft, { ...(entities.dateTime ? { dateTime: entities.dateTime } : {}), ...(half ? { half } : {}) });
  }
  return draft;
}

function resolve(texts: string[], hours: readonly HoursRow[], { now = NOW, timeZone = LISBON } = {}): CallbackTime {
  return resolveCallbackTime(draftOf(texts, { now, timeZone }), { now, timeZone, hours });
}

function question(time: CallbackTime, hours: readonly HoursRow[]): string {
  if (time.kind === 'ok') throw new Error(`no question: ${time.iso}`);
  return callbackQuestion(time, hours).text;
}

describe('the time of a callback, on the business clock', () => {
  it.each([
    ['call me back tomorrow at 5pm', '2026-11-26T17:00:00+00:00'],
    ['can you call me at 10am on Friday', '2026-11-27T10:00:00+00:00'],
    ['ligue-me amanhã às 17h', '2026-11-26T17:00:00+00:00'],
    ['call me at 17:30', '2026-11-25T17:30:00+00:00'],
  ])('%s → %s', (text, iso) => {
    expect(resolve([text], SHOP)).toMatchObject({ kind: 'ok', iso });
  });

  it("is 17:00 on the business's clock, whatever the server's zone", () => {
    const time = resolve(['call me back tomorrow at 5pm'], everyDay('09:00', '19:00'), { timeZone: 'America/New_York' });
    expect(time).toMatchObject({ kind: 'ok', date: '2026-11-26', time: '17:00', iso: '2026-11-26T17:00:00-05:00' });
    expect(time.kind === 'ok' && time.at.toISOString()).toBe('2026-11-26T22:00:00.000Z');
  });

  it('asks for the time when none was given, with the hours to choose from', () => {
    expect(question(resolve(['please call me back'], SHOP), SHOP))
      .toBe('Sure, we can call you back. What day and time suit you? Our hours: Mon closed · Tue–Sun 09:00–19:00.');
    expect(question(resolve(['call me back tomorrow'], SHOP), SHOP))
      .toBe('What time on Thursday 26 November should we call you? We\'re open 09:00–19:00 that day.');
    expect(resolve(['call me back tomorrow', '5pm'], SHOP)).toMatchObject({ kind: 'ok', iso: '2026-11-26T17:00:00+00:00' });
  });
});

describe('an hour without am/pm', () => {
  it('asks when both readings are ahead and open, and the answer completes it', () => {
    const time = resolve(['call me at 5'], GYM);
    expect(time).toEqual({ kind: 'ambiguous', options: [{ date: '2026-11-25', time: '17:00' }, { date: '2026-11-26', time: '05:00' }] });
    expect(callbackQuestion(time as Exclude<CallbackTime, { kind: 'ok' }>, GYM))
      .toEqual({ text: 'Should we call you at 17:00 on Wednesday 25 November or at 05:00 on Thursday 26 November?', suggestions: ['17:00', '05:00'] });
    expect(question(resolve(['call me tomorrow at 5'], GYM), GYM)).toBe('Should we call you at 05:00 or at 17:00 on Thursday 26 November?');
    expect(resolve(['call me tomorrow at 5', '5pm'], GYM)).toMatchObject({ kind: 'ok', iso: '2026-11-26T17:00:00+00:00' });
    expect(resolve(['call me tomorrow at 5', 'pm'], GYM)).toMatchObject({ kind: 'ok', iso: '2026-11-26T17:00:00+00:00' });
    expect(resolve(['call me tomorrow at 5', 'in the morning'], GYM)).toMatchObject({ kind: 'ok', iso: '2026-11-26T05:00:00+00:00' });
  });

  it('takes the one reading that can be meant: the other is closed or past', () => {
    // 05:00 is before the shop opens; 17:00 is open.
    expect(resolve(['call me tomorrow at 5'], SHOP)).toMatchObject({ kind: 'ok', time: '17:00' });
    // 10 pm is after closing; 10 am is open.
    expect(resolve(['call me tomorrow at 10'], SHOP)).toMatchObject({ kind: 'ok', time: '10:00' });
    // Today at 3: 03:00 has passed and 15:00 is this very minute; tomorrow both are ahead, only 15:00 open.
    expect(resolve(['call me at 3'], SHOP)).toMatchObject({ kind: 'ok', date: '2026-11-26', time: '15:00' });
  });

  it('an hour with am/pm, or in 24-hour form, is not ambiguous', () => {
    expect(resolve(['call me tomorrow at 5am'], GYM)).toMatchObject({ kind: 'ok', time: '05:00' });
    expect(resolve(['call me tomorrow at 17h'], GYM)).toMatchObject({ kind: 'ok', time: '17:00' });
    expect(resolve(['call me tomorrow at 05:00'], GYM)).toMatchObject({ kind: 'ok', time: '05:00' });
  });
});

describe('a time that cannot be used as said gets a question, not a guess', () => {
  it('in the past: today at 9am, at 15:00', () => {
    const time = resolve(['call me today at 9am'], SHOP);
    expect(time).toEqual({ kind: 'past', date: '2026-11-25', time: '09:00' });
    expect(question(time, SHOP)).toBe('09:00 on Wednesday 25 November has already passed. When should we call you instead?');
  });

  it('in the spring-forward gap: 01:30 on the last Sunday of March does not exist in Lisbon', () => {
    const now = new Date('2026-03-25T12:00:00Z');
    const allDay = everyDay('00:00', '00:00');
    for (const text of ['call me on 29/03 at 1:30am', 'call me on 2026-03-29 at 01:30']) {
      const time = resolve([text], allDay, { now });
      expect(time, text).toEqual({ kind: 'skipped', date: '2026-03-29', time: '01:30', landsAt: '02:30' });
      expect(question(time, allDay)).toBe("01:30 doesn't exist on Sunday 29 March: the clocks go forward that night, so 01:30 would be 02:30. What time should we call you?");
    }
    // The hour after the gap exists, with the summer offset.
    expect(resolve(['call me on 29/03 at 2:30am'], allDay, { now })).toMatchObject({ kind: 'ok', iso: '2026-03-29T02:30:00+01:00' });
    // The repeated hour in October is not a gap: the earlier of the two.
    expect(resolve(['call me on 25/10 at 1:30am'], allDay, { now })).toMatchObject({ kind: 'ok', iso: '2026-10-25T01:30:00+01:00' });
  });

  it('outside opening hours: the hours that day and open times near the one asked', () => {
    const time = resolve(['call me tomorrow at 8pm'], SHOP);
    expect(time).toEqual({ kind: 'closed', date: '2026-11-26', time: '20:00', suggestions: ['17:30', '18:00', '18:30'], next: { date: '2026-11-27', time: '09:00' } });
    expect(callbackQuestion(time as Exclude<CallbackTime, { kind: 'ok' }>, SHOP)).toEqual({
      text: "Sorry, we're closed at 20:00 on Thursday 26 November, so nobody could call you then. Our hours that day: 09:00–19:00. We could call you at 17:30, 18:00 or 18:30.",
      suggestions: ['17:30', '18:00', '18:30'],
    });
    // Only times still ahead: today after 15:00.
    expect(resolve(['call me today at 8am'], SHOP)).toMatchObject({ kind: 'past' });
    expect(resolve(['call me at 19:30'], SHOP)).toMatchObject({ kind: 'closed', suggestions: ['17:30', '18:00', '18:30'] });
  });

  it('on a day the business is closed: the next opening', () => {
    const time = resolve(['call me on Monday at 10am'], SHOP);
    expect(time).toMatchObject({ kind: 'closed', date: '2026-11-30', time: '10:00', suggestions: [], next: { date: '2026-12-01', time: '09:00' } });
    expect(question(time, SHOP)).toBe("Sorry, we're closed all day on Monday 30 November, so nobody could call you then. We open again at 09:00 on Tuesday 1 December. When should we call you instead?");
    expect(resolve(['call me on Monday'], SHOP)).toMatchObject({ kind: 'closed', date: '2026-11-30', next: { date: '2026-12-01', time: '09:00' } });
  });

  it('does not check hours a business has not listed', () => {
    expect(resolve(['call me tomorrow at 11pm'], [])).toMatchObject({ kind: 'ok', time: '23:00' });
  });
});
