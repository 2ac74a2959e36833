// The reminder a customer reads before their booking: "Reminder: your table for 2 at
// Taberna do Largo tomorrow at 20:00". Pure (no clock of its own, no I/O): the
// sendReminder activity hands it the booking and the moment it sends it, so unit
// tests need no services. Day and time are on the business's clock, where the
// table is, whatever zone the worker runs in.
import { instantToZonedParts } from '../understanding/zoned-time.js';

/**
 * Categories whose bookings are tables, as processors/dedicated/reservations.ts books
 * them (src/ does not import processors/); anything else is an appointment or a booking.
 */
const TABLE_CATEGORIES: readonly string[] = ['restaurant', 'bar'];

export interface ReminderFacts {
  partySize: number;
  businessName: string;
  /** businesses.category */
  category: string;
  /** The service booked (offerings.name), or null. */
  service: string | null;
  /** ISO-8601 instant of the booking's start. */
  startsAt: string;
  /** The business's IANA zone. */
  timeZone: string;
  /** When the reminder goes out: "today" and "tomorrow" count from it. */
  sentAt: Date;
}

/** What was booked, as the customer would name it. */
function booked(f: Pick<ReminderFacts, 'partySize' | 'category' | 'service'>): string {
  if (f.service) return `your ${f.service} appointment${f.partySize > 1 ? ` for ${f.partySize}` : ''}`;
  return TABLE_CATEGORIES.includes(f.category) ? `your table for ${f.partySize}` : `your booking for ${f.partySize}`;
}

/** "today", "tomorrow", else "on Thursday 3 December": the start's day seen from `sentAt`, in `timeZone`. */
export function relativeDay(startsAt: Date, sentAt: Date, timeZone: string): string {
  const day = (d: Date) => {
    const p = instantToZonedParts(d, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day) / 86_400_000;
  };
  const ahead = day(startsAt) - day(sentAt);
  if (ahead === 0) return 'today';
  if (ahead === 1) return 'tomorrow';
  return `on ${new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(startsAt)}`;
}

export function reminderText(f: ReminderFacts): string {
  const startsAt = new Date(f.startsAt);
  const local = instantToZonedParts(startsAt, f.timeZone);
  const time = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
  return `Reminder: ${booked(f)} at ${f.businessName} ${relativeDay(startsAt, f.sentAt, f.timeZone)} at ${time}`;
}
