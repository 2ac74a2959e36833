// The pure parts of the DEDICATED agents: slot filling, capacity arithmetic, opening
// hours, matching services and FAQs.
import { describe, expect, it } from 'vitest';
import { checkCapacity, overlaps, peakLoad } from '../../processors/dedicated/capacity.js';
import { candidateTimes, closesAt, describeDay, describeWeek, hhmm, isOpenAt, nextOpening, type HoursRow } from '../../processors/dedicated/hours.js';
import { best, matchFaq, matchItems, price } from '../../processors/dedicated/matching.js';
import { mergeDraft, missingSlots, question, startInstant, weekdayOf } from '../../processors/dedicated/slots.js';
import { understand } from '../../src/understanding/index.js';

const T0 = Date.parse('2026-11-27T20:00:00Z');
const min = 60_000;

describe('capacity', () => {
  it('counts bookings that share any moment of the window', () => {
    expect(overlaps(T0, 30, T0 + 29 * min, 30)).toBe(true);
    expect(overlaps(T0, 30, T0 + 30 * min, 30)).toBe(false); // back to back
    expect(overlaps(T0, 30, T0 - 30 * min, 30)).toBe(false);
    expect(overlaps(T0, 180, T0 + 60 * min, 30)).toBe(true);
  });

  it('takes the peak, not the sum, of bookings at different moments', () => {
    const bookings = [
      { startsAt: T0 - 15 * min, minutes: 30, partySize: 6 }, // leaves at +15
      { startsAt: T0 + 15 * min, minutes: 30, partySize: 4 }, // arrives at +15
      { startsAt: T0 + 20 * min, minutes: 30, partySize: 2 },
    ];
    expect(peakLoad(bookings, T0, 30)).toBe(6);
    expect(peakLoad(bookings, T0 + 15 * min, 30)).toBe(6); // 4 + 2
    expect(peakLoad([], T0, 30)).toBe(0);
  });

  it('fits while booked + party stays within the capacity', () => {
    const booked = [{ startsAt: T0, minutes: 30, partySize: 28 }];
    expect(checkCapacity(booked, T0, 30, 4, 32)).toEqual({ fits: true, load: 28, left: 4 });
    expect(checkCapacity(booked, T0, 30, 5, 32)).toEqual({ fits: false, load: 28, left: 4 });
    expect(checkCapacity(booked, T0 + 30 * min, 30, 32, 32).fits).toBe(true);
  });
});

// Taberna do Largo: Tue–Sun lunch and dinner. Tasca: Tue–Thu to midnight, Fri–Sat to 2 am.
const taberna: HoursRow[] = [2, 3, 4, 5, 6, 7].flatMap((weekday) => [
  { weekday, opens: '12:00', closes: '15:00' }, { weekday, opens: '19:00', closes: '23:00' },
]);
const tasca: HoursRow[] = [
  ...[2, 3, 4].map((weekday) => ({ weekday, opens: '19:00', closes: '00:00' })),
  ...[5, 6].map((weekday) => ({ weekday, opens: '19:00', closes: '02:00' })),
];

describe('opening hours', () => {
  it('describes a day and the week, grouping equal days', () => {
    expect(describeDay(taberna, 1)).toBe('closed');
    expect(describeDay(taberna, 3)).toBe('12:00–15:00 and 19:00–23:00');
    expect(describeWeek(taberna)).toBe('Mon closed · Tue–Sun 12:00–15:00 and 19:00–23:00');
    expect(describeWeek(tasca)).toBe('Mon closed · Tue–Thu 19:00–00:00 · Fri–Sat 19:00–02:00 · Sun closed');
  });

  it('is open inside an interval, including last night\'s that runs past midnight', () => {
    expect(isOpenAt(taberna, 3, 13 * 60)).toBe(true);
    expect(isOpenAt(taberna, 3, 15 * 60)).toBe(false);
    expect(isOpenAt(taberna, 1, 13 * 60)).toBe(false);
    expect(isOpenAt(tasca, 7, 60)).toBe(true); // Saturday night's interval, Sunday 01:00
    expect(isOpenAt(tasca, 7, 2 * 60)).toBe(false);
    expect(closesAt(tasca, 7, 60)).toBe('02:00');
    expect(closesAt(taberna, 3, 20 * 60)).toBe('23:00');
  });

  it('finds the next opening and the times to suggest', () => {
    expect(nextOpening(taberna, 3, 16 * 60)).toEqual({ daysAhead: 0, weekday: 3, time: '19:00' });
    expect(nextOpening(taberna, 7, 23 * 60)).toEqual({ daysAhead: 2, weekday: 2, time: '12:00' });
    expect(candidateTimes(taberna, 3, 30, 30, 17 * 60).slice(0, 3).map(hhmm)).toEqual(['19:00', '14:30', '19:30']);
    // A three-hour service must end by closing time.
    expect(candidateTimes([{ weekday: 2, opens: '09:30', closes: '19:30' }], 2, 180, 60, 18 * 60).map(hhmm)).toContain('16:30');
    expect(candidateTimes([{ weekday: 2, opens: '09:30', closes: '19:30' }], 2, 180, 60, 18 * 60).map(hhmm)).not.toContain('17:30');
  });
});

describe('slot filling', () => {
  const now = new Date('2026-11-25T12:00:00Z'); // a Wednesday
  const entities = (text: string, pendingSlots?: string[]) =>
    understand(text, { chatType: 'DEDICATED', now, timeZone: 'Europe/Lisbon', businessCategory: 'restaurant', ...(pendingSlots ? { pendingSlots } : {}) }).entities;

  it('asks for what is missing, one question at a time, and fills it across turns', () => {
    let draft = mergeDraft({}, { partySize: entities('table for 4').partySize! });
    expect(missingSlots(draft, { service: false })).toEqual(['date', 'time']);
    expect(question(['date', 'time'], draft, 'table', [])).toBe('Happy to book a table for 4. What day and time would you like?');
    draft = mergeDraft(draft, { dateTime: entities('tomorrow at 7pm', ['date', 'time']).dateTime! });
    expect(draft).toEqual({ partySize: 4, date: '2026-11-26', time: '19:00' });
    expect(missingSlots(draft, { service: false })).toEqual([]);
    expect(startInstant(draft as { date: string; time: string }, 'Europe/Lisbon').toISOString()).toBe('2026-11-26T19:00:00.000Z');
  });

  it('keeps a named day when only a time follows, and a time when only a day follows', () => {
    const friday = mergeDraft({ partySize: 2 }, { dateTime: entities('on Friday', ['date', 'time']).dateTime! });
    expect(friday).toEqual({ partySize: 2, date: '2026-11-27' });
    expect(question(missingSlots(friday, { service: false }), friday, 'table', [])).toBe('What time would you like a table for 2 on Friday 27 November?');
    expect(mergeDraft(friday, { dateTime: entities('8pm', ['time']).dateTime! })).toMatchObject({ date: '2026-11-27', time: '20:00' });
    expect(mergeDraft({ date: '2026-11-27', time: '20:00' }, { dateTime: entities('on Saturday').dateTime! })).toMatchObject({ date: '2026-11-28', time: '20:00' });
  });

  it('asks an appointment for its service first', () => {
    const draft = mergeDraft({}, { dateTime: entities('tomorrow at 11am').dateTime! });
    expect(missingSlots(draft, { service: true })).toEqual(['service', 'partySize']);
    expect(question(['service'], draft, 'appointment', ['Corte', 'Balayage'])).toBe('Which service would you like to book? We offer Corte, Balayage.');
    expect(mergeDraft(draft, { service: { id: 's1', name: 'Balayage', minutes: 180 } })).toMatchObject({ offeringId: 's1', minutes: 180 });
    expect(weekdayOf('2026-11-29')).toBe(7);
  });
});

describe('matching', () => {
  const services = [
    { id: '1', name: 'Corte e brushing', tags: ['haircut', 'styling'] },
    { id: '2', name: 'Balayage', tags: ['colour', 'balayage'] },
    { id: '3', name: 'Penteado de noiva', tags: ['bridal', 'styling'] },
  ];

  it('matches a service by its name, a word of it, or a tag', () => {
    expect(best(matchItems("I'd like a balayage tomorrow", services)).map((m) => m.item.id)).toEqual(['2']);
    expect(best(matchItems('corte e brushing please', services)).map((m) => m.item.id)).toEqual(['1']);
    expect(best(matchItems('a haircut on friday', services)).map((m) => m.item.id)).toEqual(['1']);
    expect(best(matchItems('something for my noiva', services)).map((m) => m.item.id)).toEqual(['3']);
    // Two equally good matches are both kept: the agent asks which.
    expect(best(matchItems('styling on friday', services)).map((m) => m.item.id)).toEqual(['1', '3']);
    expect(matchItems('table for 2', services)).toEqual([]);
  });

  it('finds the FAQ by keywords and question words, and nothing on one common word', () => {
    const faqs = [
      { id: 'p', question: 'Is there parking nearby?', answer: 'Car park at Chiado.', keywords: ['parking', 'car', 'garage'] },
      { id: 'c', question: 'How can I pay?', answer: 'Cards and MB Way.', keywords: ['payment', 'card', 'cash', 'mb way'] },
      { id: 'w', question: 'Is it wheelchair accessible?', answer: 'Step-free.', keywords: ['accessibility', 'wheelchair', 'step-free', 'disabled'] },
    ];
    expect(matchFaq('Do you take cards?', faqs)?.item.id).toBe('c');
    expect(matchFaq('can I pay with MB Way', faqs)?.item.id).toBe('c');
    expect(matchFaq('where can I park my car', faqs)?.item.id).toBe('p');
    expect(matchFaq('is it step-free for a wheelchair?', faqs)?.item.id).toBe('w');
    expect(matchFaq('is there a dress code?', faqs)).toBeNull();
  });

  it('formats prices', () => {
    expect(price(1450, 'EUR')).toBe('€14.50');
    expect(price(14000, 'EUR')).toBe('€140');
    expect(price(999, 'USD')).toBe('9.99 USD');
  });
});
