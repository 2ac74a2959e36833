// Slot filling for a booking across turns ("table for 4" … "tomorrow at 7pm"). Pure:
// the draft lives in the reservations agent's memory; entities come from
// understanding, already on the business's wall clock.
import type { DateTimeEntity } from '../../src/understanding/index.js';
import { zonedDateTimeToInstant } from '../../src/understanding/index.js';

/** What is known so far. Dates and times are the business's wall clock. */
export interface BookingDraft {
  partySize?: number;
  /** YYYY-MM-DD */
  date?: string;
  /** HH:MM */
  time?: string;
  /** The service booked (appointments). */
  offeringId?: string;
  offeringName?: string;
  /** The service's duration; a table takes the business's slot. */
  minutes?: number;
}

export type Slot = 'service' | 'partySize' | 'date' | 'time';

export interface Service {
  id: string;
  name: string;
  minutes: number;
}

/** The draft with what this message adds; a value given again replaces the old one. */
export function mergeDraft(draft: BookingDraft, found: { partySize?: number; dateTime?: DateTimeEntity; service?: Service }): BookingDraft {
  const next: BookingDraft = { ...draft };
  if (found.partySize !== undefined) next.partySize = found.partySize;
  if (found.service) {
    next.offeringId = found.service.id;
    next.offeringName = found.service.name;
    next.minutes = found.service.minutes;
  }
  const dt = found.dateTime;
  if (dt) {
    if (dt.precision === 'datetime') {
      next.date = dt.date;
      next.time = dt.time!;
    } else if (dt.precision === 'date') {
      next.date = dt.date;
    } else {
      // A time alone keeps a day already named ("Friday" … "at 8"); otherwise the day
      // understanding inferred (today, or tomorrow once the time has passed).
      next.time = dt.time!;
      next.date ??= dt.date;
    }
  }
  return next;
}

/** What is still missing, in the order to ask for it. */
export function missingSlots(draft: BookingDraft, needs: { service: boolean }): Slot[] {
  const missing: Slot[] = [];
  if (needs.service && !draft.offeringId) missing.push('service');
  if (draft.partySize === undefined) missing.push('partySize');
  if (!draft.date) missing.push('date');
  if (!draft.time) missing.push('time');
  return missing;
}

/** The next question for the customer. */
export function question(missing: readonly Slot[], draft: BookingDraft, kind: 'table' | 'appointment', serviceNames: readonly string[]): string {
  const first = missing[0];
  const what = kind === 'table'
    ? draft.partySize !== undefined ? `a table for ${draft.partySize}` : 'a table'
    : draft.offeringName ? `${draft.offeringName}` : 'an appointment';
  if (first === 'service') {
    const list = serviceNames.slice(0, 6).join(', ');
    return `Which service would you like to book?${list ? ` We offer ${list}.` : ''}`;
  }
  if (first === 'partySize') return kind === 'table' ? 'How many people will be joining?' : 'How many people is the appointment for?';
  if (missing.includes('date') && missing.includes('time')) return `Happy to book ${what}. What day and time would you like?`;
  if (first === 'date') return `What day would you like ${what}${draft.time ? ` at ${draft.time}` : ''}?`;
  return `What time would you like ${what}${draft.date ? ` on ${longDate(draft.date)}` : ''}?`;
}

/** The booking's start as an instant (the wall time read in the business's zone). */
export function startInstant(draft: Required<Pick<BookingDraft, 'date' | 'time'>>, timeZone: string): Date {
  const [y, mo, d] = draft.date.split('-').map(Number);
  const [h, mi] = draft.time.split(':').map(Number);
  return zonedDateTimeToInstant(y!, mo!, d!, h!, mi!, timeZone);
}

/** ISO weekday (1 = Monday) of a YYYY-MM-DD date. */
export function weekdayOf(date: string): number {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** "Thursday 26 November". */
export function longDate(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}
