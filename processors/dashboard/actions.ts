// Management actions as plans: what exactly will happen, in words and as the
// workflow's params, before anyone confirms it. Pure: the facts an action needs
// (current hours, the booking, whether bookings are open) are looked up by the agent
// and passed in, so each decision here is tested without a database.
//
// A plan is only made when the params pass the workflow's own validation
// (validateManagementParams), so a confirmed action never fails on its input.
import { isRole } from '../../src/db/members.js';
import type { Card } from '../../src/events.js';
import type { HoursEntity } from '../../src/understanding/index.js';
import { formatZonedIso, instantToZonedParts } from '../../src/understanding/zoned-time.js';
import type { Requester } from '../../src/workflows/authority.js';
import type { ManagementActionName } from '../../src/workflows/types.js';
import { ANNOUNCEMENT_LIFETIME_DAYS, InvalidWorkflowInputError, MAX_ANNOUNCEMENT_CHARS, validateManagementParams } from '../../src/workflows/validate.js';
import { PENDING_ACTIONS, type PendingActionName } from './policy.js';
import type { BookingRow, HoursRow } from './tools.js';

export const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const ISO_WEEKDAY: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/**
 * An action waiting for "yes": kept in the management agent's memory (JSON), so in
 * the conversation state in PostgreSQL. It is bound to who asked, in which business
 * and conversation: a dashboard conversation is shared by the business's members,
 * and only the requester, or a member with a strictly higher role than the one they
 * held when asking, may answer it (src/workflows/authority.ts).
 */
export interface PendingAction {
  action: PendingActionName;
  /** The business it acts on: a "yes" about another business runs nothing. */
  businessId: string;
  /** The conversation it was asked in (the state is per conversation; kept to check it). */
  conversationId: string;
  /** Validated workflow params. */
  params: Record<string, unknown>;
  /** Exactly what will happen, as shown when asking. */
  description: string;
  /** Who asked, with the role they held then. */
  requestedBy: Requester;
  /** eventId of the message that asked for it. */
  requestEventId: string;
  /** Epoch milliseconds. */
  requestedAt: number;
}

/** A "yes" long after the question is more likely about something else: ask again instead. */
export const PENDING_TTL_MS = 15 * 60_000;

export function isExpired(pending: PendingAction, now: Date): boolean {
  return now.getTime() - pending.requestedAt > PENDING_TTL_MS;
}

/**
 * What the management agent's memory holds: nothing, a pending action, or one that
 * cannot be answered here: kept by an older processor without its requester (from
 * before answers were bound to who asked; pending actions expire after 15 minutes,
 * so such a state is at most that old), or not of this conversation. An unbound one
 * is never run: the reply asks for the request again.
 */
export type PendingRead =
  | { kind: 'none' }
  | { kind: 'pending'; pending: PendingAction }
  | { kind: 'unbound'; description: string };

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readPending(memory: Readonly<Record<string, unknown>>, conversationId: string): PendingRead {
  const p = memory.pending;
  if (p === undefined || p === null) return { kind: 'none' };
  const description = isObject(p) && isText(p.description) ? p.description : 'do what was asked earlier';
  if (!isObject(p)) return { kind: 'unbound', description };
  const requester = p.requestedBy;
  const bound = PENDING_ACTIONS.includes(p.action as PendingActionName)
    && isText(p.businessId) && isText(p.conversationId) && isText(p.requestEventId) && isObject(p.params)
    && typeof p.requestedAt === 'number' && isObject(requester) && isText(requester.userId) && isRole(requester.role);
  if (!bound || p.conversationId !== conversationId) return { kind: 'unbound', description };
  return { kind: 'pending', pending: p as unknown as PendingAction };
}

export type Plan =
  | { kind: 'confirm'; action: PendingActionName; params: Record<string, unknown>; description: string; card: Card }
  /** Something is missing or wrong in the request: say what, nothing is pending. */
  | { kind: 'ask'; text: string; cards?: Card[]; suggestions?: string[] }
  /** Nothing to do (bookings already paused …): say so, nothing is pending. */
  | { kind: 'nothing'; text: string };

export interface BusinessFacts {
  id: string;
  name: string;
  timeZone: string;
  acceptingBookings: boolean;
}

export function actionCard(action: PendingActionName, business: BusinessFacts, title: string, fields: Record<string, string>): Card {
  return {
    kind: 'ACTION',
    title,
    subtitle: `${business.name} · waiting for your confirmation`,
    businessId: business.id,
    fields: { Action: action, ...fields, Confirm: 'Reply “yes” to run it or “no” to discard it' },
  };
}

function confirmPlan(action: ManagementActionName, rawParams: Record<string, unknown>, description: string, card: Card): Plan {
  try {
    const params = validateManagementParams(action, rawParams);
    return { kind: 'confirm', action, params, description, card };
  } catch (error) {
    if (error instanceof InvalidWorkflowInputError) return { kind: 'ask', text: `I can't do that as asked (${error.message}).` };
    throw error;
  }
}

// ---------------------------------------------------------------------------
// opening hours

export function describeDay(hours: readonly HoursRow[], weekday: number): string {
  const day = hours.filter((h) => h.weekday === weekday);
  return day.length === 0 ? 'closed' : day.map((h) => `${h.opens}–${h.closes}`).join(', ');
}

interface DayPlan { weekday: number; intervals: Array<{ opens: string; closes: string }> }

/**
 * New hours for the days named. A full range ("9 to 6") replaces the day's intervals;
 * only an opening ("open at 10") or only a closing ("open till 11pm") changes that end
 * of the day's current hours and keeps the rest (a split lunch/dinner day keeps its break).
 */
export function planHours(hours: HoursEntity | undefined, current: readonly HoursRow[], business: BusinessFacts): Plan {
  if (!hours) {
    return { kind: 'ask', text: 'Which hours? For example “open 9 to 18 on Saturday” or “closed on Mondays”.', suggestions: ['Open 9 to 18 on Saturday', 'Closed on Sundays'] };
  }
  if (!hours.weekdays || hours.weekdays.length === 0) {
    // Never assume "every day": a wrong guess would rewrite the whole week.
    return { kind: 'ask', text: `Which days should ${hours.closed ? 'be closed' : `have ${hours.opens ?? '…'}–${hours.closes ?? '…'}`}? Name them, e.g. “on Saturday” or “Monday to Friday”.` };
  }
  const days: DayPlan[] = [];
  for (const name of hours.weekdays) {
    const weekday = ISO_WEEKDAY[name];
    if (weekday === undefined) continue;
    if (hours.closed) {
      days.push({ weekday, intervals: [] });
      continue;
    }
    const today = current.filter((h) => h.weekday === weekday).map((h) => ({ opens: h.opens, closes: h.closes }));
    if (hours.opens && hours.closes) {
      // 00:00–00:00 is how "midnight to midnight" reads: open all day.
      const closes = hours.opens === '00:00' && hours.closes === '00:00' ? '24:00' : hours.closes;
      days.push({ weekday, intervals: [{ opens: hours.opens, closes }] });
    } else if (today.length === 0) {
      return { kind: 'ask', text: `${WEEKDAY_NAMES[weekday]} is closed now, so I need both times: e.g. “open 10 to 18 on ${WEEKDAY_NAMES[weekday]}”.` };
    } else if (hours.opens) {
      days.push({ weekday, intervals: [{ ...today[0]!, opens: hours.opens }, ...today.slice(1)] });
    } else {
      days.push({ weekday, intervals: [...today.slice(0, -1), { ...today[today.length - 1]!, closes: hours.closes! }] });
    }
  }
  if (days.length === 0) return { kind: 'ask', text: 'Which days? Name them, e.g. “on Saturday”.' };
  const fields: Record<string, string> = {};
  const lines: string[] = [];
  for (const d of days) {
    const after = d.intervals.length === 0 ? 'closed' : d.intervals.map((i) => `${i.opens}–${i.closes}`).join(', ');
    const before = describeDay(current, d.weekday);
    fields[WEEKDAY_NAMES[d.weekday]!] = `${before} → ${after}`;
    lines.push(`${WEEKDAY_NAMES[d.weekday]}: ${before} → ${after}`);
  }
  const description = `set the opening hours of ${business.name} (${lines.join('; ')})`;
  return confirmPlan('set_hours', { days }, description, actionCard('set_hours', business, 'Change opening hours', fields));
}

// ---------------------------------------------------------------------------
// bookings on and off

export function planPauseResume(action: 'pause_bookings' | 'resume_bookings', business: BusinessFacts, upcoming: number): Plan {
  const pausing = action === 'pause_bookings';
  if (pausing && !business.acceptingBookings) return { kind: 'nothing', text: `Bookings for ${business.name} are already paused. Say “resume bookings” to open them again.` };
  if (!pausing && business.acceptingBookings) return { kind: 'nothing', text: `${business.name} is already accepting bookings.` };
  const description = pausing
    ? `pause new bookings for ${business.name}: customers cannot book until you resume; the ${upcoming} upcoming booking${upcoming === 1 ? '' : 's'} stay as they are`
    : `resume bookings for ${business.name}: customers can book again`;
  const card = actionCard(action, business, pausing ? 'Pause bookings' : 'Resume bookings', {
    Now: business.acceptingBookings ? 'Accepting bookings' : 'Bookings paused',
    After: pausing ? 'Bookings paused' : 'Accepting bookings',
    ...(pausing ? { 'Upcoming bookings': `${upcoming}, kept` } : {}),
  });
  return confirmPlan(action, {}, description, card);
}

// ---------------------------------------------------------------------------
// one booking

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "Thu 26 Nov 20:00": a booking's time on the business's clock. */
export function localWhen(instant: Date, timeZone: string): string {
  const p = instantToZonedParts(instant, timeZone);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][p.weekday];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][p.month - 1];
  return `${day} ${p.day} ${month} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

export function bookingCard(b: BookingRow, timeZone: string): Card {
  const fields: Record<string, string> = {
    Booking: b.id,
    When: localWhen(b.startsAt, timeZone),
    'Starts at': formatZonedIso(b.startsAt, timeZone),
    People: String(b.partySize),
    Status: b.status,
    Customer: b.customer ?? b.userId,
  };
  if (b.service) fields.Service = b.service;
  if (b.notes) fields.Notes = b.notes;
  // Staff see who has been reminded before they call a guest who is late.
  if (b.reminderSentAt) fields.Reminder = `sent ${localWhen(b.reminderSentAt, timeZone)}`;
  return { kind: 'BOOKING', title: `${localWhen(b.startsAt, timeZone)} · ${b.partySize} ${b.partySize === 1 ? 'person' : 'people'}`, subtitle: b.customer ?? b.userId, businessId: null, fields };
}

/** Whether a booking reference from the message can name a booking row (their ids are UUIDs). */
export function isBookingId(ref: string | undefined): ref is string {
  return ref !== undefined && UUID.test(ref);
}

export function planCancelBooking(ref: string | undefined, booking: BookingRow | null, business: BusinessFacts, upcoming: readonly BookingRow[]): Plan {
  if (!isBookingId(ref)) {
    const listed = upcoming.map((b) => bookingCard(b, business.timeZone));
    const which = ref ? `I have no booking “${ref}”; bookings are named by their id.` : 'Which booking should I cancel?';
    return {
      kind: 'ask',
      text: upcoming.length > 0 ? `${which} Upcoming bookings are below; reply “cancel booking <id>”.` : `${which} There are no upcoming bookings.`,
      cards: listed,
      suggestions: upcoming.slice(0, 2).map((b) => `Cancel booking ${b.id}`),
    };
  }
  if (!booking) return { kind: 'ask', text: `There is no booking ${ref} at ${business.name}.` };
  if (booking.status === 'cancelled') return { kind: 'nothing', text: `Booking ${booking.id} is already cancelled.` };
  if (booking.status === 'completed') return { kind: 'nothing', text: `Booking ${booking.id} is completed; a completed booking cannot be cancelled.` };
  const who = booking.customer ?? booking.userId;
  const description = `cancel the ${booking.status} booking ${booking.id} at ${business.name}: ${booking.partySize} ${booking.partySize === 1 ? 'person' : 'people'}, ${localWhen(booking.startsAt, business.timeZone)}, for ${who}; the customer is told`;
  const card = bookingCard(booking, business.timeZone);
  return confirmPlan('cancel_booking', { bookingId: booking.id }, description,
    actionCard('cancel_booking', business, 'Cancel a booking', { ...card.fields, After: 'cancelled' }));
}

// ---------------------------------------------------------------------------
// announcements

/**
 * The announcement's text: understanding's ("announce: …"), else what follows the
 * colon of a request to announce ("Post an announcement: fado on Thursday", "Tell all
 * our customers: …"), as written.
 */
export function announcementText(message: string, fromUnderstanding: string | undefined): string | undefined {
  if (fromUnderstanding?.trim()) return fromUnderstanding.trim();
  const m = /^[^:]{0,80}\b(?:announce\w*|announcement|post|broadcast|publish|tell|notify|inform|let)\b[^:]*:\s*(\S[\s\S]*)$/i.exec(message);
  return m?.[1]?.trim() || undefined;
}

export function planAnnouncement(text: string | undefined, business: BusinessFacts): Plan {
  const body = text?.trim();
  if (!body) {
    return { kind: 'ask', text: 'What should the announcement say? Write it after “announce:”, e.g. “announce: fado night every Thursday from 21:00”.' };
  }
  if (body.length > MAX_ANNOUNCEMENT_CHARS) {
    return { kind: 'ask', text: `That announcement has ${body.length} characters; the limit is ${MAX_ANNOUNCEMENT_CHARS}. Please shorten it.` };
  }
  const description = `post this announcement for ${business.name}: “${body}”`;
  return confirmPlan('announcement', { text: body }, description,
    actionCard('announcement', business, 'Post an announcement', { Text: body, 'Shown to customers for': `${ANNOUNCEMENT_LIFETIME_DAYS} days` }));
}
