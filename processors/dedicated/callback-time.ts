// When to call a customer back: the time they asked for, on the business's clock,
// checked before anything is scheduled. Pure: the clock, the zone and the opening
// hours come in, so every case is a unit test (test/unit/dedicated-callbacks.test.ts).
//
// A time that cannot be used as said gets a question back, never a guess:
// - an hour without am/pm ("at 5") when both readings are still ahead and open
//   (when only one of them is, that one is meant: the other is not a choice);
// - a time that has already passed ("today at 9am" at 10:00);
// - a wall time the zone's clock skips that day (01:30 on the last Sunday of March in
//   Lisbon): the clock would move it an hour later, which is not what was asked;
// - a time the business is closed: its staff make the call.
// The questions echo the day and time in words, so a wrong reading is caught.
import type { DateTimeEntity } from '../../src/understanding/index.js';
import { formatZonedIso, instantToZonedParts } from '../../src/understanding/index.js';
import { addDays, formatDate } from '../../src/understanding/zoned-time.js';
import { candidateTimes, describeDay, describeWeek, hhmm, isOpenAt, minutesOf, nextOpening, type HoursRow } from './hours.js';
import { longDate, startInstant, weekdayOf } from './slots.js';

/** What is known so far; kept in the callbacks agent's memory between turns. */
export interface CallbackDraft {
  /** YYYY-MM-DD the customer named; absent: the next time the hour comes round. */
  date?: string;
  /** HH:MM on the business's clock, as the customer named it (also when the clock skips it). */
  time?: string;
  /** The hour came without am/pm ("at 5"): `time` is one reading, 12 hours off the other. */
  meridiemOpen?: boolean;
}

export interface CallbackClock {
  now: Date;
  timeZone: string;
  /** The business's opening hours; none listed means they are not known, and not checked. */
  hours: readonly HoursRow[];
}

export interface CallbackSlot {
  date: string;
  time: string;
}

export type CallbackTime =
  | { kind: 'ok'; date: string; time: string; at: Date; iso: string }
  | { kind: 'needs-time'; date?: string }
  | { kind: 'ambiguous'; options: [CallbackSlot, CallbackSlot] }
  | { kind: 'past'; date: string; time: string }
  | { kind: 'skipped'; date: string; time: string; landsAt: string }
  /** `time` absent: closed all that day. `suggestions`: open times that day; `next`: the next opening. */
  | { kind: 'closed'; date: string; time?: string; suggestions: string[]; next: CallbackSlot | null };

/** How far apart the suggested times are, and how long a call may take before closing time. */
const SUGGESTION_STEP_MINUTES = 30;
const CALL_MINUTES = 15;
const SUGGESTED_TIMES = 3;

/** The draft with what this message adds: a day, a time, or "am"/"pm" for an open hour. */
export function mergeCallbackDraft(draft: CallbackDraft, found: { dateTime?: DateTimeEntity; half?: 'am' | 'pm' }): CallbackDraft {
  const next: CallbackDraft = { ...draft };
  const dt = found.dateTime;
  if (dt) {
    if (dt.precision !== 'time') next.date = dt.date;
    if (dt.precision !== 'date') {
      next.time = dt.skipped ?? dt.time!;
      next.meridiemOpen = dt.meridiemAssumed === true;
    }
  } else if (found.half && next.time && next.meridiemOpen) {
    const minutes = minutesOf(next.time);
    next.time = hhmm((Math.floor(minutes / 60) % 12 + (found.half === 'pm' ? 12 : 0)) * 60 + (minutes % 60));
    next.meridiemOpen = false;
  }
  if (!next.meridiemOpen) delete next.meridiemOpen;
  return next;
}

/** The local date of `at` on the business's clock. */
function dayOf(at: Date, timeZone: string): string {
  const p = instantToZonedParts(at, timeZone);
  return formatDate(p.year, p.month, p.day);
}

function plusDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const next = addDays(y!, m!, d!, days);
  return formatDate(next.year, next.month, next.day);
}

type Reading = Exclude<CallbackTime, { kind: 'needs-time' } | { kind: 'ambiguous' }>;

/** One reading of the wanted time, on a day: usable, or why not. */
function check(date: string, time: string, clock: CallbackClock): Reading {
  const at = startInstant({ date, time }, clock.timeZone);
  if (at.getTime() <= clock.now.getTime()) return { kind: 'past', date, time };
  const reached = instantToZonedParts(at, clock.timeZone);
  const landsAt = hhmm(reached.hour * 60 + reached.minute);
  if (landsAt !== time) return { kind: 'skipped', date, time, landsAt };
  if (clock.hours.length > 0 && !isOpenAt(clock.hours, weekdayOf(date), minutesOf(time))) return closed(date, time, clock);
  return { kind: 'ok', date, time, at, iso: formatZonedIso(at, clock.timeZone) };
}

/** The day a time without one means: today while it is still ahead, else tomorrow. */
function nextDayFor(time: string, clock: CallbackClock): string {
  const today = dayOf(clock.now, clock.timeZone);
  return startInstant({ date: today, time }, clock.timeZone).getTime() > clock.now.getTime() ? today : plusDays(today, 1);
}

function reading(draft: CallbackDraft, time: string, clock: CallbackClock): Reading {
  return check(draft.date ?? nextDayFor(time, clock), time, clock);
}

/** Open times that day, still ahead, nearest to the wanted one; and the next opening after it. */
function closed(date: string, time: string | undefined, clock: CallbackClock): Extract<CallbackTime, { kind: 'closed' }> {
  const weekday = weekdayOf(date);
  const wanted = time === undefined ? 0 : minutesOf(time);
  const suggestions = candidateTimes(clock.hours, weekday, CALL_MINUTES, SUGGESTION_STEP_MINUTES, wanted)
    .map(hhmm)
    .filter((t) => t !== time && check(date, t, clock).kind === 'ok')
    .slice(0, SUGGESTED_TIMES)
    .sort();
  const opening = nextOpening(clock.hours, weekday, time === undefined ? 24 * 60 : wanted);
  const next = opening ? { date: plusDays(date, opening.daysAhead), time: opening.time } : null;
  return { kind: 'closed', date, ...(time === undefined ? {} : { time }), suggestions, next };
}

/** The time to call, or what stands in the way of it. */
export function resolveCallbackTime(draft: CallbackDraft, clock: CallbackClock): CallbackTime {
  if (!draft.time) {
    if (draft.date && clock.hours.length > 0 && describeDay(clock.hours, weekdayOf(draft.date)) === 'closed') return closed(draft.date, undefined, clock);
    return draft.date ? { kind: 'needs-time', date: draft.date } : { kind: 'needs-time' };
  }
  const said = reading(draft, draft.time, clock);
  if (!draft.meridiemOpen) return said;
  const other = reading(draft, hhmm(minutesOf(draft.time) + 12 * 60), clock);
  if (said.kind === 'ok' && other.kind === 'ok') {
    const options = [said, other].sort((a, b) => a.at.getTime() - b.at.getTime()).map((r) => ({ date: r.date, time: r.time }));
    return { kind: 'ambiguous', options: options as [CallbackSlot, CallbackSlot] };
  }
  // Only one reading can be meant; when neither can, the problem of the one understood.
  if (other.kind === 'ok') return other;
  return said;
}

function on(slot: CallbackSlot): string {
  return `${slot.time} on ${longDate(slot.date)}`;
}

function listTimes(times: readonly string[]): string {
  return times.length <= 1 ? times.join('') : `${times.slice(0, -1).join(', ')} or ${times[times.length - 1]}`;
}

/** The question for a time that cannot be used, and the answers to offer. */
export function callbackQuestion(time: Exclude<CallbackTime, { kind: 'ok' }>, hours: readonly HoursRow[]): { text: string; suggestions: string[] } {
  switch (time.kind) {
    case 'needs-time': {
      if (time.date) {
        const day = hours.length > 0 ? ` We're open ${describeDay(hours, weekdayOf(time.date))} that day.` : '';
        return { text: `What time on ${longDate(time.date)} should we call you?${day}`, suggestions: [] };
      }
      const week = hours.length > 0 ? ` Our hours: ${describeWeek(hours)}.` : '';
      return { text: `Sure, we can call you back. What day and time suit you?${week}`, suggestions: [] };
    }
    case 'ambiguous': {
      const [a, b] = time.options;
      const which = a.date === b.date ? `at ${a.time} or at ${b.time} on ${longDate(a.date)}` : `at ${on(a)} or at ${on(b)}`;
      return { text: `Should we call you ${which}?`, suggestions: [a.time, b.time] };
    }
    case 'past':
      return { text: `${on(time)} has already passed. When should we call you instead?`, suggestions: [] };
    case 'skipped':
      return {
        text: `${time.time} doesn't exist on ${longDate(time.date)}: the clocks go forward that night, so ${time.time} would be ${time.landsAt}. What time should we call you?`,
        suggestions: [],
      };
    case 'closed': {
      const next = time.next ? ` We open again at ${on(time.next)}.` : '';
      if (time.time === undefined || (time.suggestions.length === 0 && describeDay(hours, weekdayOf(time.date)) === 'closed')) {
        return { text: `Sorry, we're closed all day on ${longDate(time.date)}, so nobody could call you then.${next} When should we call you instead?`, suggestions: [] };
      }
      const offer = time.suggestions.length > 0 ? ` We could call you at ${listTimes(time.suggestions)}.` : `${next} When should we call you instead?`;
      return {
        text: `Sorry, we're closed at ${on({ date: time.date, time: time.time })}, so nobody could call you then. Our hours that day: ${describeDay(hours, weekdayOf(time.date))}.${offer}`,
        suggestions: time.suggestions,
      };
    }
  }
}
