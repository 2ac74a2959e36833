// The words of a booking reminder (src/workflows/reminders.ts): what was booked, where,
// and when on the business's clock, counted from the moment the reminder goes out.
import { describe, expect, it } from 'vitest';
import { reminderText, type ReminderFacts } from '../../src/workflows/reminders.js';

const table: ReminderFacts = {
  partySize: 2, businessName: 'Taberna do Largo', category: 'restaurant', service: null,
  startsAt: '2026-11-28T20:00:00.000Z', timeZone: 'Europe/Lisbon', sentAt: new Date('2026-11-27T18:00:00Z'),
};

describe('reminder text', () => {
  it('names the table, the place and the day and time on the business\'s clock', () => {
    expect(reminderText(table)).toBe('Reminder: your table for 2 at Taberna do Largo tomorrow at 20:00');
    expect(reminderText({ ...table, sentAt: new Date('2026-11-28T18:00:00Z') })).toBe('Reminder: your table for 2 at Taberna do Largo today at 20:00');
    expect(reminderText({ ...table, sentAt: new Date('2026-11-25T20:00:00Z') })).toBe('Reminder: your table for 2 at Taberna do Largo on Saturday 28 November at 20:00');
  });

  it('counts days on the business\'s clock, not UTC\'s', () => {
    // 21:30 in New York on the 27th is 02:30 UTC on the 28th; a reminder at 19:30 there is "today".
    const newYork = { ...table, businessName: 'Joe\'s', timeZone: 'America/New_York', startsAt: '2026-11-28T02:30:00Z', sentAt: new Date('2026-11-28T00:30:00Z') };
    expect(reminderText(newYork)).toBe('Reminder: your table for 2 at Joe\'s today at 21:30');
    // Summer time: 20:00 in Lisbon on 1 July is 19:00 UTC.
    expect(reminderText({ ...table, startsAt: '2026-07-01T19:00:00Z', sentAt: new Date('2026-07-01T17:00:00Z') })).toBe('Reminder: your table for 2 at Taberna do Largo today at 20:00');
  });

  it('names the service of an appointment, and the people only when more than one', () => {
    const salon = { ...table, businessName: 'Studio Cabelo Chiado', category: 'salon', service: 'Balayage', partySize: 1 };
    expect(reminderText(salon)).toBe('Reminder: your Balayage appointment at Studio Cabelo Chiado tomorrow at 20:00');
    expect(reminderText({ ...salon, partySize: 2 })).toBe('Reminder: your Balayage appointment for 2 at Studio Cabelo Chiado tomorrow at 20:00');
    expect(reminderText({ ...salon, service: null })).toBe('Reminder: your booking for 1 at Studio Cabelo Chiado tomorrow at 20:00');
  });
});
